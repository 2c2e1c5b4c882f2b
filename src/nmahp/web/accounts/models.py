"""Who may see what: roles, the second factor, sign-in lockout, and the audit trail."""

from django.conf import settings
from django.db import models

MENTOR, LEAD, ANALYST, ADMIN = "mentor", "lead", "analyst", "admin"
ROLES = [(MENTOR, "Mentor"), (LEAD, "NMAHP lead"), (ANALYST, "Analyst"), (ADMIN, "Administrator")]
SECOND_FACTOR_ROLES = {ANALYST, ADMIN}


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=20, choices=ROLES)
    region = models.CharField(max_length=50, blank=True, help_text="a lead sees this region only (choice name)")
    totp_secret = models.CharField(max_length=64, blank=True, help_text="base32 secret of the authenticator app")
    # the TOTP time step of the last code accepted: a code (or an older one) is never accepted twice
    totp_last_step = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.user} ({self.role})"


class SignInAttempt(models.Model):
    """One step of a sign-in, by account name and client address (what the lockout counts)."""

    WRONG_PASSWORD, WRONG_CODE = "wrong_password", "wrong_code"
    PASSWORD_OK, SIGNED_IN = "password_ok", "signed_in"  # right password (code to come); fully signed in
    OUTCOMES = [(WRONG_PASSWORD, "wrong password"), (WRONG_CODE, "wrong code"),
                (PASSWORD_OK, "right password, code to come"), (SIGNED_IN, "signed in")]
    FAILURES = (WRONG_PASSWORD, WRONG_CODE)

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64, db_index=True, blank=True,
                               help_text="client IP address (an IPv6 address as its /64)")
    outcome = models.CharField(max_length=20, choices=OUTCOMES)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} from {self.address}: {self.get_outcome_display()}"


class AuditEvent(models.Model):
    """Append-only: written by the app, read by admins, never edited through it."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=50)  # download_csv, download_xlsx, read_contacts, erase
    target = models.CharField(max_length=200)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target}"


def audit(actor: str, action: str, target: str, detail: str = "") -> AuditEvent:
    return AuditEvent.objects.create(actor=actor, action=action, target=target, detail=detail[:500])
