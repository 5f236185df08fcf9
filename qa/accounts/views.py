from axes.helpers import get_client_username
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from qa.accounts.forms import LoginForm
from qa.accounts.services import password_changed
from qa.audit.models import Action
from qa.audit.services import audit_record


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True


def locked_out(request, original_response=None, credentials=None):
    """django-axes calls this instead of answering itself: the lockout is logged, the page says why."""
    audit_record(action=Action.LOCKOUT, actor_name=str(get_client_username(request, credentials) or "")[:150])
    return render(request, "accounts/locked_out.html", {"title": "Too many attempts"}, status=429)


class PasswordChangeView(auth_views.PasswordChangeView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["first_login"] = self.request.user.login_state.must_change_password if hasattr(self.request.user, "login_state") else False
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(user=form.user)
        messages.success(self.request, "Your new password is saved.")
        return response
