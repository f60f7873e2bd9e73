"""The job a user sees. The queue itself is django-tasks-db's table; a job points at its task."""
from __future__ import annotations

from django.conf import settings
from django.db import models

# State codes and their Chinese labels (shown on the pages and the command line).
QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
STATES = {QUEUED: "排队中", RUNNING: "运行中", DONE: "已完成", FAILED: "失败", CANCELLED: "已取消"}
FINISHED = (DONE, FAILED, CANCELLED)


class Job(models.Model):
    kind = models.CharField("类型", max_length=32)
    title = models.CharField("任务", max_length=200)
    params = models.JSONField("参数", default=dict)
    who = models.CharField("发起人", max_length=150)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    # The department whose data the job reads or writes (a bureau for a batch): who may see it.
    department = models.ForeignKey("budget.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    state = models.CharField("状态", max_length=16, default=QUEUED, choices=list(STATES.items()))
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    # The lease: the worker running the job renews it; a job whose lease ran out belonged to a
    # worker that died and is queued again.
    heartbeat_at = models.DateTimeField("心跳时间", null=True, blank=True)
    worker = models.CharField("工作进程", max_length=80, blank=True, default="")
    attempts = models.PositiveIntegerField("执行次数", default=0)
    cancel_requested = models.BooleanField("已请求取消", default=False)
    log = models.TextField("日志", blank=True, default="")
    error = models.TextField("错误", blank=True, default="")
    # Relative to the jobs directory under the var directory (shared storage with several servers).
    result_file = models.CharField("结果文件", max_length=300, blank=True, default="")
    result_name = models.CharField("下载文件名", max_length=200, blank=True, default="")
    # A per-unit table (imports): [{"unit": …, "status": …, "message": …}, …].
    result_rows = models.JSONField("结果明细", default=list, blank=True)
    task_id = models.CharField("队列任务", max_length=64, blank=True, default="", db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "heartbeat_at"])]
        verbose_name = verbose_name_plural = "后台任务"

    def __str__(self) -> str:
        return f"{self.title}（{STATES.get(self.state, self.state)}）"

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, self.state)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def percent(self) -> int:
        if self.state == DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
