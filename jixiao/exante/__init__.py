"""项目入库与事前绩效评估: proposals, the expert panel and its scores, the conclusion, and the way
an approved proposal enters the budget year. Rules in ``jixiao/core/exante.py`` and
``jixiao/rules/exante.json``; every change through ``jixiao.services.exante``."""
