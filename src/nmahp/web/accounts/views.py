"""Signing in: password, then (for analysts and admins) a TOTP code; lockout after repeated failures."""

import pyotp
from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from .access import LOCKOUT_FAILURES, locked_out, role_of
from .models import SECOND_FACTOR_ROLES, SignInAttempt


def _next(request, default="/dashboard/"):
    target = request.POST.get("next") or request.GET.get("next") or default
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else default


@require_http_methods(["GET", "POST"])
def sign_in(request):
    errors = []
    username = (request.POST.get("username") or "").strip()[:150]
    if request.method == "POST":
        if locked_out(username):
            errors.append(("username", "Too many failed attempts. Try again in 15 minutes."))
        else:
            user = authenticate(request, username=username, password=request.POST.get("password", ""))
            SignInAttempt.objects.create(username=username.lower(), succeeded=user is not None)
            if user is None:
                errors.append(("username", "Enter a correct username and password"))
            else:
                login(request, user)
                request.session["second_factor"] = False
                if role_of(user) in SECOND_FACTOR_ROLES:
                    return redirect(f"/sign-in/code/?next={_next(request)}")
                return redirect(_next(request))
    return render(request, "web/accounts/sign_in.html",
                  {"errors": errors, "error_items": [(f"#{a}", m) for a, m in errors], "username": username,
                   "next": _next(request), "attempts": LOCKOUT_FAILURES})


@require_http_methods(["GET", "POST"])
def sign_in_code(request):
    if not request.user.is_authenticated:
        return redirect("/sign-in/")
    errors = []
    if request.method == "POST":
        username = request.user.get_username().lower()
        code = "".join(ch for ch in request.POST.get("code", "") if ch.isdigit())[:6]
        secret = request.user.profile.totp_secret
        if locked_out(username):
            errors.append(("code", "Too many failed attempts. Try again in 15 minutes."))
        elif secret and len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=1):
            SignInAttempt.objects.create(username=username, succeeded=True)
            request.session["second_factor"] = True
            return redirect(_next(request))
        else:
            SignInAttempt.objects.create(username=username, succeeded=False)
            errors.append(("code", "Enter the 6-digit code from your authenticator app"))
    return render(request, "web/accounts/sign_in_code.html",
                  {"errors": errors, "error_items": [(f"#{a}", m) for a, m in errors], "next": _next(request)})


@require_http_methods(["POST"])
def sign_out(request):
    logout(request)
    return redirect("/")
