from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "qa.performance"
    label = "performance"
    verbose_name = "Agent performance"
