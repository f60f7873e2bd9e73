from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jixiao.web"
    label = "web"
    verbose_name = "网页应用"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jixiao.cli.core_cmds import DEMO_LOADERS
        from jixiao.web.demo import demo_command_loader

        if demo_command_loader not in DEMO_LOADERS:
            DEMO_LOADERS.append(demo_command_loader)
