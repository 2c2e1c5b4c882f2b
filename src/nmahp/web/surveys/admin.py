from django.contrib import admin

from .models import CollectorLink, Response, Wave


class CollectorInline(admin.TabularInline):
    model = CollectorLink
    extra = 0
    readonly_fields = ["token"]


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ["instrument", "name", "form_version", "opens", "closes"]
    inlines = [CollectorInline]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    # answers are special-category data: the admin lists responses but does not show answers
    list_display = ["respondent_key", "wave", "status", "source", "started", "submitted"]
    list_filter = ["wave", "status"]
    exclude = ["answers"]
    readonly_fields = ["respondent_key", "wave", "collector", "status", "source", "submitted"]
    actions = ["erase_selected"]

    @admin.action(description="Erase the selected respondents (answers and contact details)")
    def erase_selected(self, request, queryset):
        from . import store

        keys = list(queryset.values_list("respondent_key", flat=True))
        for key in keys:
            store.erase(key, actor=request.user.get_username())
        self.message_user(request, f"Erased {len(keys)} respondent(s); the erasures are in the audit log.")
