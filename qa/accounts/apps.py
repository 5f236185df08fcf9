from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "qa.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"
