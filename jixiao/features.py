"""Every feature of jixiao, declared once.

A feature is one ``Feature`` entry in ``FEATURES``: its Django app, its URL module, its pages in
the navigation, its command-line commands, the indicator feeds it provides and the page they link
to, its demo loader and (for a park ledger) its ledger definition. Everything that used to be
registered by hand in five places reads this list instead:

- ``jixiao/settings.py`` — ``INSTALLED_APPS`` (``installed_apps()``);
- ``jixiao/urls.py`` — one ``include`` per feature (``url_modules()``);
- ``jixiao/web/views/common.py`` — ``FEATURE_PAGES``, the navigation (``nav_pages()``);
- ``jixiao/web/presenters.py`` — the page a feed links to (``feed_pages()``; the feeds' Chinese
  labels stay in ``jixiao/rules/feed-labels.json``);
- ``jixiao/cli/__init__.py`` — the commands: ``jixiao --help`` lists ``commands()`` without
  importing any command module; only the module of the command being run is imported.

Feed providers and demo loaders are named here too and resolved when needed (``resolve``).

Pure data: this module imports nothing from Django or the rest of jixiao, so the settings can
read it. Names of code are strings (``"module"`` or ``"module:attribute"``); Django apps never
import the command line.
"""
from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Command:
    """``jixiao <name>``: the module defines ``register(subparsers)`` adding this command."""

    name: str
    help: str  # shown by ``jixiao --help``; the module's parser uses the same text
    module: str
    django: bool = False  # the module imports Django models at its top: configure Django first


@dataclass(frozen=True)
class Page:
    """A navigation entry of a department-year: its label and route name (args: code, year)."""

    label: str
    route: str


@dataclass(frozen=True)
class Feature:
    key: str
    title: str
    app: str = ""  # Django app module (INSTALLED_APPS)
    urls: str = ""  # URL module included at the site root
    nav: tuple[Page, ...] = ()
    commands: tuple[Command, ...] = ()
    feeds: tuple[tuple[str, str], ...] = ()  # (feed key prefix, route of the page that shows it)
    feed_provider: str = ""  # "module:function(code, year) -> {feed key: text}"
    demo_loader: str = ""  # "module:function(demo department-year) -> message"
    ledger: str = ""  # "module:LEDGER", the park ledger's ``jixiao.ledgers.store.Ledger``


def _core(name: str, help: str, module: str, django: bool = False) -> Command:
    return Command(name, help, f"jixiao.cli.{module}", django)


CORE = Feature(
    key="core", title="预算绩效", app="jixiao.web",
    nav=(Page("目标申报", "web:goals"), Page("目标调整", "web:adjustments"),
         Page("绩效自评", "web:selfeval"), Page("监控", "web:monitoring"),
         Page("整改", "web:rectifications"), Page("结果应用", "web:results")),
    # django=True: every command of the module needs the database. The others read a file
    # without Django (and whatever DATABASE_URL says); their database half sets Django up.
    commands=(
        _core("demo", "载入示例部门及其示例台账数据（已有时不改动；--reset 重新开始）", "store_cmds", django=True),
        _core("import", "导入交换格式 .json 或 Excel .xlsx 文件：先预览，无冲突时全部导入，否则全部不导入",
              "store_cmds", django=True),
        _core("workflow", "审核流程操作：提交、退回、审核通过、锁定、解除锁定等", "store_cmds", django=True),
        _core("export", "导出部门年度数据：交换格式 JSON 或标准表格", "store_cmds", django=True),
        _core("score", "计算评分：从文件（不使用数据库）或数据库中的部门年度", "core_cmds"),
        _core("serve", "启动网页服务", "web_cmds", django=True),
        _core("monitor", "绩效运行监控（双监控）：执行进度、指标进度、预警与年末预测", "monitor_cmds"),
        _core("check", "审核绩效目标与自评数据的质量和一致性（交换格式 .json、Excel .xlsx 或数据库中的部门年度）；"
                       "绩效运行监控表按监控规则审核", "check_cmds"),
        _core("report", "生成部门整体（或单个项目）支出绩效自评报告 .docx/.pdf", "report_cmds"),
        _core("audit", "审核自评报告中的数字（执行率、合计、完成率、同比、计数）", "report_cmds"),
        _core("precheck", "预检：按复核规则包审核自评，给出每项指标的复核得分与理由（P0 阻断、P1 扣分、P2 提示）",
              "precheck_cmds"),
        _core("users", "列出示例账号及各用户的部门角色", "web_cmds", django=True),
        _core("backup", "备份 SQLite 数据库到文件（运行中也可安全备份）", "web_cmds", django=True),
        _core("restore", "用备份文件替换当前 SQLite 数据库（请先停止网页服务）", "web_cmds", django=True),
        _core("token", "管理程序调用 API 的令牌：创建、列出、撤销", "token_cmds", django=True),
        _core("security-log", "安全审计日志：登录、失败、锁定、退出、拒绝访问、后台操作、导出",
              "security_cmds", django=True),
    ),
    feeds=(("budget", "web:department"), ("projects", "web:department")),
    demo_loader="jixiao.web.demo:demo_command_loader",
)

LAND = Feature(
    key="land", title="土地使用状况一本帐", app="jixiao.land", urls="jixiao.web.land_urls",
    nav=(Page("土地台账", "land:summary"),),
    commands=(Command("land", "土地使用状况一本帐：识别、汇总、导入、导出", "jixiao.cli.land_cmds", django=True),),
    feeds=(("land", "land:summary"),),
    feed_provider="jixiao.land.store:land_feed_provider",
    demo_loader="jixiao.land.demo:load_demo_ledger",
    ledger="jixiao.land.store:LEDGER",
)

INVEST = Feature(
    key="invest", title="招商引资台账", app="jixiao.invest", urls="jixiao.web.invest_urls",
    nav=(Page("招商台账", "invest:board"),),
    commands=(Command("invest", "招商引资台账：汇总、导入、导出", "jixiao.cli.invest_cmds", django=True),),
    feeds=(("invest", "invest:board"),),
    feed_provider="jixiao.invest.store:invest_feed_provider",
    demo_loader="jixiao.invest.demo:load_demo_ledger",
    ledger="jixiao.invest.store:LEDGER",
)

ENTERPRISE = Feature(
    key="enterprise", title="企业服务台账", app="jixiao.enterprise", urls="jixiao.web.enterprise_urls",
    nav=(Page("企业服务", "enterprise:overview"),),
    commands=(Command("enterprise", "企业服务与经济运行监测：汇总、问题直通车、导入、导出",
                      "jixiao.cli.enterprise_cmds", django=True),),
    feeds=(("enterprise", "enterprise:overview"),),
    feed_provider="jixiao.enterprise.store:enterprise_feed_provider",
    demo_loader="jixiao.enterprise.demo:load_demo_ledger",
    ledger="jixiao.enterprise.store:LEDGER",
)

JOBS = Feature(
    key="jobs", title="后台任务", app="jixiao.jobs", urls="jixiao.jobs.urls",
    commands=(
        Command("worker", "运行后台任务工作进程（批量报告、PDF 转换、批量导入、全部部门评分）", "jixiao.cli.job_cmds",
                django=True),
        Command("jobs", "列出后台任务；--cancel 取消任务", "jixiao.cli.job_cmds", django=True),
        Command("import-batch", "批量导入：多个单位的 .xlsx/.json 打包为 .zip，作为一个后台任务逐个导入",
                "jixiao.cli.job_cmds", django=True),
    ),
)

ORGANISATION = Feature(
    key="organisation", title="组织与用户", app="jixiao.organisation", urls="jixiao.web.organisation_urls",
    commands=(
        Command("init", "首次运行（不使用示例数据）：建立财政局和第一个系统管理员", "jixiao.cli.org_cmds", django=True),
        Command("org", "单位与用户名单：导出模板、导入（先预览）、重置密码", "jixiao.cli.org_cmds", django=True),
    ),
)

EVIDENCE = Feature(
    key="evidence", title="佐证材料", app="jixiao.evidence", urls="jixiao.web.evidence_urls",
    nav=(Page("佐证材料", "evidence:list"),),
)

# The order is that of the navigation, of ``jixiao --help`` and of the demo loaders.
EXANTE = Feature(
    key="exante", title="事前绩效评估", app="jixiao.exante", urls="jixiao.web.exante_urls",
    commands=(Command("exante", "项目入库与事前绩效评估：是否须评估、申报列表、评估报告、专家评分表",
                      "jixiao.cli.exante_cmds", django=True),),
)

PRECHECK = Feature(
    key="precheck", title="预检与复核底稿", urls="jixiao.web.precheck_urls",
    nav=(Page("预检与复核底稿", "precheck:department"),),
)

FEATURES: list[Feature] = [CORE, EVIDENCE, LAND, INVEST, ENTERPRISE, JOBS, ORGANISATION, EXANTE, PRECHECK]


def all_features() -> list[Feature]:
    return list(FEATURES)


def feature(key: str) -> Feature:
    for f in FEATURES:
        if f.key == key:
            return f
    raise KeyError(key)


def installed_apps() -> list[str]:
    return [f.app for f in FEATURES if f.app]


def url_modules() -> list[str]:
    return [f.urls for f in FEATURES if f.urls]


def nav_pages() -> tuple[tuple[str, str], ...]:
    """(label, route name) of every feature page of a department-year, in order."""
    return tuple((p.label, p.route) for f in FEATURES for p in f.nav)


def feed_pages() -> dict[str, str]:
    """Feed key prefix → route name of the page that shows it."""
    return {prefix: route for f in FEATURES for prefix, route in f.feeds}


def commands() -> list[Command]:
    return [c for f in FEATURES for c in f.commands]


def command(name: str) -> Command | None:
    return next((c for c in commands() if c.name == name), None)


def ledgers() -> Iterator[Feature]:
    return (f for f in FEATURES if f.ledger)


def resolve(name: str) -> Any:
    """The object a ``"module:attribute"`` string names (the module when there is no attribute)."""
    module, _, attr = name.partition(":")
    obj = importlib.import_module(module)
    return getattr(obj, attr) if attr else obj


def feed_providers() -> list[Any]:
    return [resolve(f.feed_provider) for f in FEATURES if f.feed_provider]


def demo_loaders() -> list[Any]:
    return [resolve(f.demo_loader) for f in FEATURES if f.demo_loader]


def ledger(key: str) -> Any:
    """The ``jixiao.ledgers.store.Ledger`` of the park ledger ``key`` (land, invest, enterprise)."""
    f = feature(key)
    if not f.ledger:
        raise KeyError(key)
    return resolve(f.ledger)
