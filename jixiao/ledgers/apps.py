"""The app configuration every park ledger shares: on start-up the ledger's feed provider, as its
feature declares it in ``jixiao/features.py``, starts supplying indicator actuals."""
from __future__ import annotations

from django.apps import AppConfig

from jixiao import features
from jixiao.budget.feeds import register_feed_provider


class LedgerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # the registry ignores repeats: ready() may run more than once (tests, autoreload)
        for f in features.all_features():
            if f.app == self.name and f.feed_provider:
                register_feed_provider(features.resolve(f.feed_provider))
