from django.apps import AppConfig


class LandConfig(AppConfig):
    name = "jixiao.land"
    label = "land"
    verbose_name = "土地使用状况一本帐"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The ledger supplies indicator actuals and demo rows; both registries ignore repeats.
        from jixiao.budget.feeds import register_feed_provider
        from jixiao.cli import core_cmds
        from jixiao.land.store import land_feed_provider, load_demo_ledger

        register_feed_provider(land_feed_provider)
        if load_demo_ledger not in core_cmds.DEMO_LOADERS:
            core_cmds.DEMO_LOADERS.append(load_demo_ledger)
