"""Account writes: one-time passwords that must be replaced at first login."""

from __future__ import annotations

import secrets

from django.db import transaction

from qa.accounts.models import LoginState

ONE_TIME_PASSWORD_BYTES = 12


@transaction.atomic
def one_time_password_issue(*, user) -> str:
    """Give the user a random password, valid until their first login makes them choose their own."""
    password = secrets.token_urlsafe(ONE_TIME_PASSWORD_BYTES)
    user.set_password(password)
    user.save(update_fields=["password"])
    LoginState.objects.update_or_create(user=user, defaults={"must_change_password": True})
    return password


def password_changed(*, user) -> None:
    LoginState.objects.filter(user=user).update(must_change_password=False)


def must_change_password(user) -> bool:
    return LoginState.objects.filter(user=user, must_change_password=True).exists()
