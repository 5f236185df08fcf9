from django.apps import AppConfig


class RetentionConfig(AppConfig):
    """Deleting recordings (and, by choice, transcripts and evaluations) when a client's period is up.

    Its own app because it reaches across recordings and QA evaluations, and logs to the audit log.
    """

    name = "qa.retention"
    label = "retention"
    verbose_name = "Retention"
