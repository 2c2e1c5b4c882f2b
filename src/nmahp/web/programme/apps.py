from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "nmahp.web.programme"
    label = "programme"
    verbose_name = "Programme: instrument versions and organisations"

    def ready(self):
        # a wave's instrument is the version it was made from, kept here, whatever the workbooks folder holds now
        from nmahp.instruments.registry import set_version_source

        from .models import stored_workbook

        set_version_source(stored_workbook)
