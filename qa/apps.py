from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class ProjectConfig(AppConfig):
    """The project package: no models, only the project-wide system checks."""

    name = "qa"
    label = "project"
    verbose_name = "Call-centre QA"

    def ready(self):
        from qa import checks  # noqa: F401 - registers the checks


class BrandedAdminConfig(AdminConfig):
    default_site = "qa.admin_site.CallQaAdminSite"
