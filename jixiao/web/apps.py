from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jixiao.web"
    label = "web"
    verbose_name = "网页应用"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jixiao.cli.core_cmds import DEMO_LOADERS
        from jixiao.web.demo import load_web_demo

        if load_web_demo not in DEMO_LOADERS:
            DEMO_LOADERS.append(load_web_demo)
