"""Accounts and respondents: adding an account with its role, and erasing a respondent."""

from __future__ import annotations

import pyotp

from ..errors import NmahpError
from . import ready


def add_account(username: str, role: str, password: str, region: str = "") -> str:
    """Add an account; returns the TOTP provisioning URI for roles that sign in with a second factor
    (empty for the others)."""
    ready()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from ..web.accounts.models import ROLES, SECOND_FACTOR_ROLES, Profile

    if role not in dict(ROLES):
        raise NmahpError(f"the role must be one of {', '.join(dict(ROLES))}")
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise NmahpError(f"an account called '{username}' exists already")
    secret = pyotp.random_base32() if role in SECOND_FACTOR_ROLES else ""
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password, is_staff=role == "admin",
                                        is_superuser=role == "admin")
        Profile.objects.create(user=user, role=role, region=region, totp_secret=secret)
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="NMAHP Pathways") if secret else ""


def erase_respondent(respondent_key: str, *, actor: str) -> bool:
    """Remove a respondent's answers and contact details and record it; False when no such key."""
    ready()
    from ..web.surveys import store

    return store.erase(respondent_key, actor=actor)
