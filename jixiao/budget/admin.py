"""Admin for system administrators. Budget data is normally edited through the web app, which
goes through ``store`` and writes history; the admin is for departments and memberships."""
from django.contrib import admin

from jixiao.budget.models import ChangeLog, Department, DepartmentYear, Membership


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(DepartmentYear)
class DepartmentYearAdmin(admin.ModelAdmin):
    list_display = ("department", "year", "status", "origin", "updated_at")
    list_filter = ("year", "status", "origin")
    search_fields = ("department__code", "department__name")

    # Edits here would bypass the change history; data changes go through the web app.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "department", "role")
    list_filter = ("role",)
    search_fields = ("user__username", "department__code", "department__name")
    autocomplete_fields = ("department",)


@admin.register(ChangeLog)
class ChangeLogAdmin(admin.ModelAdmin):
    list_display = ("when", "who", "department", "year", "object_repr", "field", "before", "after")
    list_filter = ("model_label", "year")
    search_fields = ("department", "object_key", "object_repr", "who")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
