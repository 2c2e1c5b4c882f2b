from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "nmahp.web.coding"
    label = "coding"
    verbose_name = "Qualitative coding"

    def ready(self):
        from . import signals  # noqa: F401  (memos go with what they are about)
