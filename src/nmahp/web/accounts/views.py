"""Signing in: password, then (for analysts and admins) a TOTP code. The one way in: the Django admin's
login sends people here. Lockout rule: nmahp.web.accounts.access."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from . import access
from .access import account_locked, address_throttled, client_address, password_locked, record, role_of
from .models import SECOND_FACTOR_ROLES, SignInAttempt

PENDING = "sign_in_pending"  # the session's note of a right password awaiting its code
PENDING_SECONDS = 600


def _next(request, default="/dashboard/"):
    target = request.POST.get("next") or request.GET.get("next") or default
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else default


def _locked_message(whose: str) -> str:
    return f"Too many failed attempts {whose}. Try again in {access.lockout_minutes()} minutes."


@require_http_methods(["GET", "POST"])
def sign_in(request):
    errors = []
    username = (request.POST.get("username") or "").strip()[:150]
    name, address = username.lower(), client_address(request)
    if request.method == "POST":
        if address_throttled(address):
            errors.append(("username", _locked_message("from your network")))
        elif password_locked(name, address):
            errors.append(("username", _locked_message("for this account")))
        else:
            user = authenticate(request, username=username, password=request.POST.get("password", ""))
            if user is None:
                record(name, address, SignInAttempt.WRONG_PASSWORD)
                errors.append(("username", "Enter a correct username and password"))
            elif account_locked(name):  # said only to someone who knows the password
                errors.append(("username", _locked_message("for this account")))
            elif role_of(user) in SECOND_FACTOR_ROLES:
                # not a sign-in yet: the code step finishes it, and nothing is cleared until then
                record(name, address, SignInAttempt.PASSWORD_OK)
                if request.user.is_authenticated:
                    logout(request)
                request.session.cycle_key()
                request.session[PENDING] = {"user": user.pk, "hash": user.get_session_auth_hash(),
                                            "at": int(time.time())}
                return redirect(f"/sign-in/code/?next={_next(request)}")
            else:
                record(name, address, SignInAttempt.SIGNED_IN)
                login(request, user)
                request.session["second_factor"] = False
                return redirect(_next(request))
    return render(request, "web/accounts/sign_in.html",
                  {"errors": errors, "error_items": [(f"#{a}", m) for a, m in errors], "username": username,
                   "next": _next(request), "attempts": settings.NMAHP_SIGNIN_CODE_FAILURES,
                   "minutes": access.lockout_minutes()})


def _awaiting_code(request):
    """The account whose right password this session gave in the last ten minutes (unchanged since), or a
    signed-in analyst or admin who has not given a code yet."""
    pending = request.session.get(PENDING)
    if pending:
        user = get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()
        if (user is not None and time.time() - pending.get("at", 0) < PENDING_SECONDS
                and constant_time_compare(pending.get("hash", ""), user.get_session_auth_hash())):
            return user
        request.session.pop(PENDING, None)
    if request.user.is_authenticated and role_of(request.user) in SECOND_FACTOR_ROLES:
        return request.user
    return None


@require_http_methods(["GET", "POST"])
def sign_in_code(request):
    user = _awaiting_code(request)
    if user is None:
        return redirect(f"/sign-in/?next={_next(request)}")
    errors = []
    if request.method == "POST":
        name, address = user.get_username().lower(), client_address(request)
        code = "".join(ch for ch in request.POST.get("code", "") if ch.isdigit())[:6]
        if address_throttled(address):
            errors.append(("code", _locked_message("from your network")))
        elif account_locked(name):
            errors.append(("code", _locked_message("for this account")))
        elif access.accept_code(user.profile, code):
            record(name, address, SignInAttempt.SIGNED_IN)
            request.session.pop(PENDING, None)
            if request.user.pk != user.pk:
                login(request, user)
            request.session["second_factor"] = True
            return redirect(_next(request))
        else:
            record(name, address, SignInAttempt.WRONG_CODE)
            if account_locked(name):
                errors.append(("code", _locked_message("for this account")))
            else:
                errors.append(("code", "Enter the 6-digit code from your authenticator app"))
    return render(request, "web/accounts/sign_in_code.html",
                  {"errors": errors, "error_items": [(f"#{a}", m) for a, m in errors], "next": _next(request)})


@require_http_methods(["POST"])
def sign_out(request):
    logout(request)
    return redirect("/")


def admin_login(request, extra_context=None):
    """The Django admin's login page: never checks a password, sends people to sign in here."""
    return redirect("/sign-in/?" + urlencode({"next": _next(request, default="/admin/")}))
