from jixiao.ledgers import apps


class InvestmentConfig(apps.LedgerConfig):
    name = "jixiao.investment"
    label = "investment"
    verbose_name = "招商引资台账"
    feed_provider = "invest_feed_provider"
