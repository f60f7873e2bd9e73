from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "jixiao.evidence"
    label = "evidence"
    verbose_name = "佐证材料"
    default_auto_field = "django.db.models.BigAutoField"
