"""Demo logins and the second illustrative department, loaded by ``jixiao demo``.

Only the demo command creates these accounts (never settings or migrations), and only in demo
mode (``JIXIAO_DEMO=1``, which ``make run`` sets): running ``jixiao demo`` against a real database
loads the example departments but opens no well-known logins. The passwords are public on purpose
(README, ``jixiao users``): change them or delete the accounts before real use.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model

from jixiao import exchange
from jixiao.budget import models as m
from jixiao.core.model import DepartmentYear
from jixiao.services.demo import DEMO_FILES, load_demo_year

SECOND_DEPARTMENT = DEMO_FILES[1]
DEMO_PASSWORD = "Jixiao#2022"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    department: str  # code; "@bureau" means the demo department's parent (the finance bureau)
    note: str
    superuser: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("jingban", "经办人", "demo", "示例部门经办人：填报、上传、提交"),
    DemoUser("bumen", "部门管理员", "demo", "示例部门管理员：审核通过、退回、部门整体评价"),
    DemoUser("caizheng", "财政审核", "@bureau", "财政局审核：查看所辖部门、复核、锁定"),
    DemoUser("disanfang", "第三方只读", "demo", "第三方评价机构：只读与导出"),
    DemoUser("xitong", "系统管理员", "@bureau", "系统管理员（含后台管理）", superuser=True),
    DemoUser("jingban-b", "经办人", "demo-b", "第二个示例部门的经办人（看不到 demo 部门）"),
    DemoUser("zhuanjia1", "评审专家", "@bureau", "事前绩效评估专家：只看到指派给自己的项目"),
    DemoUser("zhuanjia2", "评审专家", "@bureau", "事前绩效评估专家"),
    DemoUser("zhuanjia3", "评审专家", "@bureau", "事前绩效评估专家"),
)


def demo_logins_text() -> str:
    lines = [f"示例账号（仅供演示，密码均为 {DEMO_PASSWORD}）："]
    for u in DEMO_USERS:
        lines.append(f"  {u.username:<10} {u.role:<6} {u.note}")
    return "\n".join(lines)


NO_LOGINS_NOTE = ("未创建示例账号：只有演示模式才创建。需要示例账号时请运行 JIXIAO_DEMO=1 jixiao demo --reset"
                  "（make run 会自动设置演示模式）；正式使用请用 jixiao init 建立财政局和系统管理员。")


def demo_command_loader(dy: DepartmentYear) -> str:
    """The core feature's demo loader (``jixiao/features.py``), run by ``jixiao demo``: the
    logins only when settings say demo mode."""
    return load_web_demo(dy, logins=settings.JIXIAO_DEMO)


def load_web_demo(dy: DepartmentYear, logins: bool = True) -> str:
    """Store the second department and, with ``logins``, (re)create the demo logins."""
    second = exchange.read_file(SECOND_DEPARTMENT)
    load_demo_year(second)
    loaded = f"已载入第二个示例部门 {second.department.name}（{second.department.code}）"
    if not logins:
        return f"{loaded}\n{NO_LOGINS_NOTE}"
    bureau_code = dy.department.parent_code or second.department.parent_code
    User = get_user_model()
    for u in DEMO_USERS:
        code = bureau_code if u.department == "@bureau" else u.department
        department = m.Department.objects.get(code=code)
        user, _ = User.objects.get_or_create(username=u.username)
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.is_staff = user.is_superuser = u.superuser
        user.first_name = u.note[:150]
        user.save()
        m.Membership.objects.filter(user=user).delete()
        m.Membership.objects.create(user=user, department=department, role=u.role)
    return f"{loaded}及 {len(DEMO_USERS)} 个示例账号\n{demo_logins_text()}"
