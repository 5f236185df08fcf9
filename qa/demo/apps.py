from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and the development runner: the one app allowed to import every other."""

    name = "qa.demo"
    label = "demo"
    verbose_name = "Demo"
