from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "qa.audit"
    label = "audit"
    verbose_name = "Audit log"
