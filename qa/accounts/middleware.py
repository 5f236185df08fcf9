from django.shortcuts import redirect
from django.urls import reverse

from qa.accounts.services import must_change_password


class PasswordChangeRequiredMiddleware:
    """A user on a one-time password sees nothing but the password-change page until they pick their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and must_change_password(user):
            allowed = {reverse("password_change"), reverse("logout")}
            if request.path not in allowed and not request.path.startswith(("/static/", "/api/")):
                return redirect("password_change")
        return self.get_response(request)
