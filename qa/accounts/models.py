from django.conf import settings
from django.db import models


class LoginState(models.Model):
    """Per-user login facts the auth user lacks: a one-time password must be replaced at first login."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_state")
    must_change_password = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.user}: {'must change password' if self.must_change_password else 'ok'}"
