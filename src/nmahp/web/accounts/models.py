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

    def __str__(self):
        return f"{self.user} ({self.role})"


class SignInAttempt(models.Model):
    username = models.CharField(max_length=150, db_index=True)
    succeeded = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True, db_index=True)


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
