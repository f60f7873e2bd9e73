from jixiao.ledgers import apps


class EnterpriseConfig(apps.LedgerConfig):
    name = "jixiao.enterprise"
    label = "enterprise"
    verbose_name = "企业服务与经济运行监测"

