from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "nmahp.web.surveys"
    label = "surveys"
    verbose_name = "Survey waves and responses"
