from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "nmahp.web.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self):
        # erasure reaches what finished jobs keep (report files, suggested themes quoting answers)
        from nmahp.app import jobs

        jobs.register_erasure_hook()
