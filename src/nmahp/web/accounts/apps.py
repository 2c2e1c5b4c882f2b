from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "nmahp.web.accounts"
    label = "accounts"
    verbose_name = "Accounts, roles and audit"
