"""The app configuration every park ledger shares: on start-up the ledger supplies indicator
actuals (its feed provider) and the demo rows of ``jixiao demo`` (its demo loader)."""
from __future__ import annotations

import importlib

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    feed_provider = ""  # the name of the feed provider in the app's ``store`` module

    def ready(self) -> None:
        # both registries ignore repeats: ready() may run more than once (tests, autoreload)
        from jixiao.budget.feeds import register_feed_provider
        from jixiao.cli import core_cmds

        store = importlib.import_module(f"{self.name}.store")
        register_feed_provider(getattr(store, self.feed_provider))
        if store.load_demo_ledger not in core_cmds.DEMO_LOADERS:
            core_cmds.DEMO_LOADERS.append(store.load_demo_ledger)
