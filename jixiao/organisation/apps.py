from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "jixiao.organisation"
    label = "organisation"
    verbose_name = "组织机构与用户"
    default_auto_field = "django.db.models.BigAutoField"
