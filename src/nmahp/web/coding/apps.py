from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "nmahp.web.coding"
    label = "coding"
    verbose_name = "Qualitative coding"
