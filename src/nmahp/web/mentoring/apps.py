from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "nmahp.web.mentoring"
    label = "mentoring"
    verbose_name = "Matching clinicians with mentors"
