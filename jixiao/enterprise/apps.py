from django.apps import AppConfig


class EnterpriseConfig(AppConfig):
    name = "jixiao.enterprise"
    label = "enterprise"
    verbose_name = "企业服务与经济运行监测"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The ledger supplies indicator actuals and demo rows; both registries ignore repeats.
        from jixiao.budget.feeds import register_feed_provider
        from jixiao.cli import core_cmds
        from jixiao.enterprise.store import enterprise_feed_provider, load_demo_ledger

        register_feed_provider(enterprise_feed_provider)
        if load_demo_ledger not in core_cmds.DEMO_LOADERS:
            core_cmds.DEMO_LOADERS.append(load_demo_ledger)
