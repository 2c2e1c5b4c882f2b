"""The opt-in forms, validated on the server."""

from django import forms

from nmahp.instruments import get_instrument
from nmahp.study import STUDY

STAGE_CHOICES = [(s.id, s.name) for s in STUDY.career_stages]
OFFER_CHOICES = [(o.id, o.label) for o in STUDY.mentoring_offers]


def _choices(question: str):
    return [(c.name, c.label) for c in get_instrument("nmahp").question(question).choices]


class ClinicianForm(forms.Form):
    name = forms.CharField(max_length=100, error_messages={"required": "Enter your name"})
    email = forms.EmailField(max_length=200, error_messages={
        "required": "Enter your email address", "invalid": "Enter an email address like name@example.nhs.uk"})
    profession = forms.ChoiceField(choices=[], error_messages={"required": "Select your profession",
                                                               "invalid_choice": "Select your profession"})
    region = forms.ChoiceField(choices=[], error_messages={"required": "Select your region",
                                                           "invalid_choice": "Select your region"})
    organisation = forms.CharField(max_length=200, required=False)
    career_stage = forms.ChoiceField(choices=STAGE_CHOICES, error_messages={
        "required": "Select where you are on the career pathway", "invalid_choice": "Select a career stage"})
    interests = forms.CharField(max_length=2000, error_messages={
        "required": "Describe your area of interest", "max_length": "Keep this under 2,000 characters"})
    wants = forms.MultipleChoiceField(choices=OFFER_CHOICES, error_messages={
        "required": "Select what you are looking for", "invalid_choice": "Select from the options given"})
    same_profession = forms.BooleanField(required=False)
    has_mentor = forms.BooleanField(required=False)
    under_represented = forms.BooleanField(required=False)
    availability = forms.CharField(max_length=100, required=False)
    opted_in = forms.BooleanField(error_messages={
        "required": "Agree to your profile being used for matching, or you cannot be matched"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profession"].choices = [c for c in _choices("profession") if c[0] != "other"]
        self.fields["region"].choices = _choices("region")


class MentorForm(forms.Form):
    profession = forms.ChoiceField(choices=[], error_messages={"required": "Select your profession"})
    region = forms.ChoiceField(choices=[], error_messages={"required": "Select your region"})
    institution = forms.CharField(max_length=200, required=False)
    career_stage = forms.ChoiceField(choices=STAGE_CHOICES)
    specialisms = forms.CharField(max_length=2000, error_messages={"required": "Describe your specialisms"})
    offers = forms.MultipleChoiceField(choices=OFFER_CHOICES, error_messages={"required": "Select what you offer"})
    capacity = forms.IntegerField(min_value=0, max_value=20, error_messages={
        "required": "Enter how many people you can support", "min_value": "Enter a number from 0 to 20",
        "max_value": "Enter a number from 0 to 20", "invalid": "Enter a number from 0 to 20"})
    preferences = forms.CharField(max_length=1000, required=False)
    opted_in = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profession"].choices = [c for c in _choices("profession") if c[0] != "other"]
        self.fields["region"].choices = _choices("region")
