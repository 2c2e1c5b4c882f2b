from django.apps import AppConfig


class CareersConfig(AppConfig):
    name = "nmahp.web.careers"
    label = "careers"
    verbose_name = "Careers navigator"

    def ready(self):
        # check the content YAML at start, so an editing mistake is found before anyone opens a page
        from .content import get_content

        get_content()
