"""Admin for system administrators: API tokens can be seen and revoked here. They are created
with ``jixiao token create`` (the only place the token itself is ever shown)."""
from django.contrib import admin
from django.utils import timezone

from jixiao.web.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created", "last_used", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "user__username", "name")
    actions = ["revoke"]

    @admin.action(description="撤销所选 API 令牌")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"已撤销 {count} 个令牌")

    # A token made here could not be shown to anyone; the stored hash is not to be edited.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
