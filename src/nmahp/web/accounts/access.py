"""The role checks every view goes through, and the sign-in lockout rule."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.utils import timezone

from .models import SECOND_FACTOR_ROLES, SignInAttempt

LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)


def role_of(user) -> str | None:
    if not user.is_authenticated:
        return None
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def fully_signed_in(request) -> bool:
    role = role_of(request.user)
    if role is None:
        return False
    return role not in SECOND_FACTOR_ROLES or request.session.get("second_factor") is True


def role_required(*roles):
    """Signed in (with the second factor where the role needs one) and holding one of `roles`."""
    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect(f"/sign-in/?next={request.path}")
            if not fully_signed_in(request):
                return redirect("/sign-in/code/")
            if role_of(request.user) not in roles:
                return HttpResponseForbidden("You do not have access to this page.")
            return view(request, *args, **kwargs)
        return wrapper
    return decorate


def locked_out(username: str) -> bool:
    since = timezone.now() - LOCKOUT_WINDOW
    recent = SignInAttempt.objects.filter(username=username.lower(), at__gte=since).order_by("-at")
    failures = 0
    for attempt in recent[:LOCKOUT_FAILURES]:
        if attempt.succeeded:
            break
        failures += 1
    return failures >= LOCKOUT_FAILURES
