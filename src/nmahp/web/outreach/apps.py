from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "nmahp.web.outreach"
    label = "outreach"
    verbose_name = "Outreach: invitees, their links and the e-mail sent to them"
