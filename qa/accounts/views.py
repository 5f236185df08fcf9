from django.contrib import messages
from django.contrib.auth import views as auth_views

from qa.accounts.services import password_changed


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
