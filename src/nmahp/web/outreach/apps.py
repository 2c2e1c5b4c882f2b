from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "nmahp.web.outreach"
    label = "outreach"
    verbose_name = "Outreach: invitees, their links and the e-mail sent to them"

    def ready(self):
        # erasing a respondent removes their invitation and their place in an interview sample
        from nmahp.app import outreach

        outreach.register_erasure_hook()
