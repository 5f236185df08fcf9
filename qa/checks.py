"""Project-wide configuration mistakes, reported by `manage.py check` and at startup."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def check_secret_key(app_configs, **kwargs):
    if settings.SECRET_KEY.startswith("dev-only") and not settings.DEBUG:
        return [Warning("SECRET_KEY is the development default; set SECRET_KEY.", id="qa.W001")]
    return []
