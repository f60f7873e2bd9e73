"""Land-use survey ledger (土地使用状况一本帐): Django app around ``jixiao.core.land``."""
