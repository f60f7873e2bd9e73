from django.apps import AppConfig


class WebConfig(AppConfig):
    # ``jixiao demo`` finds the web application's demo loader (the demo logins and the second
    # department) in ``jixiao/features.py``; the app itself never imports the command line.
    name = "jixiao.web"
    label = "web"
    verbose_name = "网页应用"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The security log's receivers (logouts, admin actions) must be connected in every process
        # that serves requests, whether or not a view module has been imported yet.
        from jixiao.web import passwords, security  # noqa: F401, PLC0415 — connecting signals is the point of ready()

        passwords.require_policy_for_superusers()
