from django.apps import AppConfig


class RecordingsConfig(AppConfig):
    name = "recordings"
    verbose_name = "Calls and recordings"

    def ready(self) -> None:
        from recordings import checks  # noqa: F401  (registers system checks)
