from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "qa.portal"
    label = "portal"
    verbose_name = "Client portal"
