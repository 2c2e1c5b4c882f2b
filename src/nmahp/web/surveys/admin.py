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
