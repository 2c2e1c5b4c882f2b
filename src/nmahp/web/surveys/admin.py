import hashlib

from django import forms
from django.contrib import admin

from .models import CollectorLink, Response, Wave, instrument_choices

# ContactDetails is deliberately not registered: contact details are read only through the analysts'
# audited contacts page, and go only with their respondent, through erase_respondent below.


class CollectorInline(admin.TabularInline):
    model = CollectorLink
    extra = 0
    readonly_fields = ["token"]


class WaveForm(forms.ModelForm):
    """A wave's instrument is chosen from the registered instruments, never typed (nor a path)."""

    instrument = forms.ChoiceField(choices=instrument_choices, help_text="a registered instrument, e.g. nmahp_survey")

    class Meta:
        model = Wave
        fields = "__all__"


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    form = WaveForm
    list_display = ["instrument", "name", "form_version", "opens", "closes"]
    inlines = [CollectorInline]


def _erase(request, responses) -> dict[str, int]:
    from nmahp.app.people import erase_respondent

    totals: dict[str, int] = {}
    for key in [r.respondent_key for r in responses]:
        for kind, n in erase_respondent(key, actor=request.user.get_username()).items():
            totals[kind] = totals.get(kind, 0) + n
    return totals


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    # answers are special-category data and the key opens the respondent's answers: the admin shows
    # neither, only a short hash of the key (the same one the audit log records)
    list_display = ["pk", "key_hash", "wave", "status", "source", "started", "submitted"]
    list_filter = ["wave", "status"]
    fields = ["key_hash", "wave", "collector", "status", "source", "started", "submitted"]
    readonly_fields = fields
    actions = ["erase_selected"]

    @admin.display(description="key (hash)")
    def key_hash(self, obj) -> str:
        return hashlib.sha256(obj.respondent_key.encode()).hexdigest()[:16]

    def get_actions(self, request):
        # Django's 'Delete selected' would leave contact details and everything derived behind, unaudited
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        _erase(request, [obj])

    def delete_queryset(self, request, queryset):
        _erase(request, queryset)

    @admin.action(description="Erase the selected respondents (answers, contact details and all derived from them)")
    def erase_selected(self, request, queryset):
        responses = list(queryset)
        totals = _erase(request, responses)
        done = "; ".join(f"{kind}: {n}" for kind, n in totals.items())
        self.message_user(request,
                          f"Erased {len(responses)} respondent(s) ({done}); the erasures are in the audit log.")
