from django.apps import AppConfig


class BudgetConfig(AppConfig):
    name = "jixiao.budget"
    label = "budget"
    verbose_name = "预算绩效数据"
    default_auto_field = "django.db.models.BigAutoField"
