"""The programme pages' forms: validated on the server, choices from what is kept (never typed)."""

from django import forms

from .models import Organisation


def styled(form) -> None:
    """The NHS.UK classes on each field's widget, its hint tied to it for screen readers."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        kind = ("nhsuk-select" if isinstance(widget, forms.Select) else "nhsuk-textarea"
                if isinstance(widget, forms.Textarea) else "nhsuk-file-upload" if isinstance(widget, forms.FileInput)
                else "nhsuk-input")
        widget.attrs.setdefault("class", kind)
        if field.help_text:
            widget.attrs["aria-describedby"] = f"id_{name}-hint"


class UploadForm(forms.Form):
    workbook = forms.FileField(label="Workbook (.xlsx)", help_text="a new version of a registered instrument, its "
                               "settings sheet giving the same form_id and a new version")
    renames = forms.CharField(label="Questions renamed since the version before (optional)", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                              help_text="one a line: old_name = new_name. Renames with the same wording are found "
                                        "without this.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)


class WaveForm(forms.Form):
    version = forms.TypedChoiceField(label="Instrument and version", coerce=int, choices=())
    name = forms.SlugField(label="Wave name", max_length=50, help_text="letters, digits and hyphens, e.g. 2025")
    opens = forms.DateField(label="Opens on (optional)", required=False, help_text="for example, 2025-03-01",
                            widget=forms.DateInput(attrs={"type": "date"}))
    closes = forms.DateField(label="Closes on (optional)", required=False, help_text="for example, 2025-04-30",
                             widget=forms.DateInput(attrs={"type": "date"}))
    channels = forms.CharField(label="Channels (optional)", required=False, max_length=1000,
                               help_text="a link is made for each, separated by commas, e.g. email, newsletter")

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)
        self.fields["version"].choices = [(v.pk, f"{v.instrument} version {v.version}") for v in versions]

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens"), cleaned.get("closes")
        if opens and closes and closes < opens:
            self.add_error("closes", "The closing date must be on or after the opening date")
        return cleaned

    def channel_list(self) -> list[str]:
        return [c.strip() for c in self.cleaned_data.get("channels", "").split(",") if c.strip()]


class LinkForm(forms.Form):
    channel = forms.CharField(label="Channel", max_length=100, help_text="for example, email or newsletter")
    invited = forms.IntegerField(label="People invited (optional)", required=False, min_value=0,
                                 help_text="how many it is sent to, for the response rate")
    organisation = forms.TypedChoiceField(label="Organisation (optional)", coerce=int, required=False, empty_value=None,
                                          choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)
        self.fields["organisation"].choices = [("", "None: open to everyone")] + [
            (o.pk, o.name) for o in Organisation.objects.all()]


class InvitedForm(forms.Form):
    link = forms.IntegerField(widget=forms.HiddenInput)
    invited = forms.IntegerField(label="People invited", required=False, min_value=0)
