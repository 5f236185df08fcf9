from django.apps import AppConfig


class AutoqaConfig(AppConfig):
    name = "qa.autoqa"
    label = "autoqa"
    verbose_name = "Automatic QA"
