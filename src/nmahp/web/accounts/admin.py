from django.contrib import admin

from .access import fully_signed_in, role_of
from .models import ADMIN, AuditEvent, Profile, SignInAttempt
from .views import admin_login


def _admins_only(request) -> bool:
    # the Django admin edits content: administrators only, and only with their second factor
    return request.user.is_active and role_of(request.user) == ADMIN and fully_signed_in(request)


admin.site.has_permission = _admins_only
# one way in: the admin's own login would check passwords with no lockout and no code
admin.site.login = admin_login
admin.site.site_header = "NMAHP Pathways administration"


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region"]
    exclude = ["totp_secret", "totp_last_step"]


@admin.register(SignInAttempt)
class SignInAttemptAdmin(admin.ModelAdmin):
    """Read-only: what the lockout counts (clear an account's lock by deleting its recent failures)."""

    list_display = ["at", "username", "address", "outcome"]
    list_filter = ["outcome"]
    search_fields = ["username", "address"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Readable by admins; nobody can add, change or delete an entry through the app."""

    list_display = ["at", "actor", "action", "target", "detail"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
