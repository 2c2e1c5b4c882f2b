"""The role checks every view goes through, and the sign-in lockout rule.

Lockout (counts and period in settings, from NMAHP_SIGNIN_*; every failure is kept in SignInAttempt with
the account name and the client address; only failures in the last NMAHP_SIGNIN_LOCKOUT_MINUTES count):

- a client address with NMAHP_SIGNIN_ADDRESS_FAILURES failures (wrong passwords and wrong codes, for any
  accounts) is refused every sign-in step until they age out; a success does not clear them;
- an account with NMAHP_SIGNIN_FAILURES wrong passwords from one address is refused from that address
  (other addresses are unaffected, so nobody can lock another person out by guessing their password);
- an account with NMAHP_SIGNIN_CODE_FAILURES wrong codes (each after its right password) is locked from
  every address: only someone who knows the password can cause it.

A completed sign-in clears its account's failures (not its address's). A right password for an analyst
or an admin is not a sign-in: it opens the code step and clears nothing."""

from __future__ import annotations

import hmac
import ipaddress
import time
from datetime import timedelta
from functools import wraps

import pyotp
from django.conf import settings
from django.db.models import Max
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.utils import timezone

from .models import SECOND_FACTOR_ROLES, Profile, SignInAttempt


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


# --- who is asking -------------------------------------------------------------------------------------

def client_address(request) -> str:
    """The client's IP address: REMOTE_ADDR, or behind NMAHP_PROXY_COUNT proxies the address the outermost
    of them saw (X-Forwarded-For, counted from the right: entries further left are the client's word). An
    IPv6 address counts as its /64, since one client usually holds the whole /64."""
    address = request.META.get("REMOTE_ADDR", "")
    hops = settings.NMAHP_PROXY_COUNT
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


# --- counting and lockout ------------------------------------------------------------------------------

def lockout_minutes() -> int:
    return settings.NMAHP_SIGNIN_LOCKOUT_MINUTES


def _since():
    return timezone.now() - timedelta(minutes=lockout_minutes())


def _account_since(username: str):
    """Failures of an account count from the window's start or its last completed sign-in, if later."""
    last = SignInAttempt.objects.filter(username=username, outcome=SignInAttempt.SIGNED_IN).aggregate(at=Max("at"))
    since = _since()
    return max(since, last["at"]) if last["at"] else since


def address_throttled(address: str) -> bool:
    failures = SignInAttempt.objects.filter(address=address, outcome__in=SignInAttempt.FAILURES, at__gte=_since())
    return failures.count() >= settings.NMAHP_SIGNIN_ADDRESS_FAILURES


def password_locked(username: str, address: str) -> bool:
    """Too many wrong passwords for this account from this address."""
    failures = SignInAttempt.objects.filter(username=username, address=address,
                                            outcome=SignInAttempt.WRONG_PASSWORD, at__gte=_account_since(username))
    return failures.count() >= settings.NMAHP_SIGNIN_FAILURES


def account_locked(username: str) -> bool:
    """Too many wrong codes after the right password: the account is locked from everywhere."""
    failures = SignInAttempt.objects.filter(username=username, outcome=SignInAttempt.WRONG_CODE,
                                            at__gte=_account_since(username))
    return failures.count() >= settings.NMAHP_SIGNIN_CODE_FAILURES


def record(username: str, address: str, outcome: str) -> None:
    SignInAttempt.objects.create(username=username[:150], address=address[:64], outcome=outcome)


# --- the second factor ---------------------------------------------------------------------------------

def accept_code(profile: Profile, code: str) -> bool:
    """True if `code` is the TOTP code of a time step within one of now and later than the last accepted
    one; that step becomes the last accepted (atomically, so two requests cannot both use one code)."""
    if not profile.totp_secret or len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(profile.totp_secret)
    now = int(time.time()) // totp.interval
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            taken = Profile.objects.filter(pk=profile.pk, totp_last_step__lt=step).update(totp_last_step=step)
            return taken == 1
    return False
