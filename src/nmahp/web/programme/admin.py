from django.contrib import admin

from .models import InstrumentVersion, Organisation, OrganisationLead, OrganisationLink


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(admin.ModelAdmin):
    # versions are uploaded on the programme pages (checked there) and never changed: the admin only lists them
    list_display = ["instrument", "version", "file_name", "bundled", "uploaded_by", "created"]
    fields = ["instrument", "version", "title", "file_name", "checksum", "renames", "previous", "bundled",
              "uploaded_by", "created"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LinkInline(admin.TabularInline):
    model = OrganisationLink
    extra = 0


class LeadInline(admin.TabularInline):
    model = OrganisationLead
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "region"]
    inlines = [LeadInline, LinkInline]
