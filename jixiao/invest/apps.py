from jixiao.ledgers import apps


class InvestConfig(apps.LedgerConfig):
    name = "jixiao.invest"
    label = "invest"
    verbose_name = "招商引资台账"
