"""Sign-in attempts by outcome and client address; the last accepted TOTP step of each account."""

from django.db import migrations, models


def outcomes(apps, schema_editor):
    SignInAttempt = apps.get_model("accounts", "SignInAttempt")
    SignInAttempt.objects.filter(succeeded=True).update(outcome="signed_in")
    SignInAttempt.objects.filter(succeeded=False).update(outcome="wrong_password")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="totp_last_step",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="signinattempt",
            name="address",
            field=models.CharField(blank=True, db_index=True, help_text="client IP address (an IPv6 address as its /64)",
                                   max_length=64),
        ),
        migrations.AddField(
            model_name="signinattempt",
            name="outcome",
            field=models.CharField(choices=[("wrong_password", "wrong password"), ("wrong_code", "wrong code"),
                                            ("password_ok", "right password, code to come"),
                                            ("signed_in", "signed in")],
                                   default="wrong_password", max_length=20),
            preserve_default=False,
        ),
        migrations.RunPython(outcomes, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="signinattempt",
            name="succeeded",
        ),
    ]
