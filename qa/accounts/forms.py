from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from qa.audit.models import Action
from qa.audit.services import audit_record


class AuditedLogin:
    """Every login and failed login goes to the audit log, from whichever login page."""

    def clean(self):
        try:
            data = super().clean()
        except ValidationError:
            audit_record(action=Action.LOGIN_FAILED, actor_name=(self.cleaned_data.get("username") or "")[:150])
            raise
        audit_record(action=Action.LOGIN, actor=self.get_user())
        return data


class LoginForm(AuditedLogin, AuthenticationForm):
    pass


class AdminLoginForm(AuditedLogin, AdminAuthenticationForm):
    pass
