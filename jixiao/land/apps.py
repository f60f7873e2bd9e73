from jixiao.ledgers import apps


class LandConfig(apps.LedgerConfig):
    name = "jixiao.land"
    label = "land"
    verbose_name = "土地使用状况一本帐"

