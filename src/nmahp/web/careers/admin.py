"""Programme staff add stories and opportunities here; lists of ids become tick boxes drawn from the
content files, so a story can only point at stages and schemes that exist."""

from django import forms
from django.contrib import admin

from nmahp.study import STUDY

from .content import get_content
from .models import Opportunity, Story


class ListField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class StoryForm(forms.ModelForm):
    class Meta:
        model = Story
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        content = get_content()
        self.fields["profession"] = forms.ChoiceField(choices=[(p.id, p.name) for p in content.professions.values()])
        self.fields["stages"] = ListField(choices=[(s.id, s.name) for s in content.stages_in_order()])
        self.fields["schemes"] = ListField(choices=[(s.id, s.name) for s in content.schemes.values()],
                                           required=False)


class OpportunityForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https", help_text="Where to read more and apply.")

    class Meta:
        model = Opportunity
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        content = get_content()
        self.fields["region"] = forms.ChoiceField(
            choices=[("", "Anywhere")] + [(o.value, o.label) for o in content.questions["region"].options],
            required=False)
        self.fields["stage"] = forms.ChoiceField(
            choices=[("", "Any stage")] + [(s.id, s.name) for s in content.stages_in_order()], required=False)
        self.fields["open_to"] = ListField(choices=[(g.id, g.label) for g in STUDY.professional_groups], required=False,
                                           help_text="Leave empty if open to everyone.")


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    form = StoryForm
    list_display = ["title", "person", "profession", "setting", "illustrative", "published", "updated"]
    list_filter = ["published", "setting", "illustrative"]
    search_fields = ["title", "person", "journey"]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    form = OpportunityForm
    list_display = ["title", "kind", "organisation", "closes_on", "published"]
    list_filter = ["kind", "published", "region"]
    search_fields = ["title", "organisation", "summary"]
    date_hierarchy = "closes_on"
