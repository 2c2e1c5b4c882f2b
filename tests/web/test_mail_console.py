"""The development mail backend (the console, when no SMTP server is set) prints each message to the server's
output, which goes to logs: every e-mail address in it is masked (a***@nhs.net), in the headers, the text and the
HTML alike, however the message is encoded."""

import io
import os
import subprocess
import sys

from django.core.mail import EmailMultiAlternatives, get_connection

from nmahp.app import mail

BACKEND = "nmahp.app.mail.RedactedConsoleBackend"


def test_addresses_are_masked_where_the_console_prints_a_message():
    stream = io.StringIO()
    body = ("Dear Zoë,\n\nYour mentor is Ben (ben.jones@nhs.net). " + "A long line that will be folded " * 4
            + "and then an address at its end: carol.white@example.ac.uk\n")
    message = EmailMultiAlternatives(
        "A match for anna.smith@nhs.net", body, "NMAHP Pathways <no-reply@localhost>", ["anna.smith@nhs.net"],
        cc=["Dee Doe <dee.doe@trust.nhs.uk>"], bcc=["eve@nhs.net"], reply_to=["frank@nhs.net"],
        headers={"List-Unsubscribe": "<mailto:unsubscribe+anna.smith@nhs.net>"})
    message.attach_alternative('<p>Write to <a href="mailto:ben.jones@nhs.net">ben.jones@nhs.net</a></p>',
                               "text/html")
    assert get_connection(BACKEND, stream=stream).send_messages([message]) == 1
    printed = stream.getvalue()
    for local in ("anna.smith", "ben.jones", "carol.white", "dee.doe", "eve@", "frank@", "no-reply@"):
        assert local not in printed, local
    assert "a***@nhs.net" in printed and "b***@nhs.net" in printed and "c***@example.ac.uk" in printed
    assert "To: a***@nhs.net" in printed and "Cc: Dee Doe <d***@trust.nhs.uk>" in printed
    assert "Your mentor is Ben" in printed  # the message is still there to read
    # the message that goes out is untouched
    assert message.to == ["anna.smith@nhs.net"] and "ben.jones@nhs.net" in message.body


def test_masking_keeps_the_first_character_and_the_domain():
    assert mail.masked("anna.smith@nhs.net") == "a***@nhs.net"
    assert mail.mask_addresses("to a***@nhs.net, b@x.org") == "to a***@nhs.net, b***@x.org"  # masked stays masked


def test_the_console_is_the_masking_one_unless_smtp_or_a_folder_is_set():
    """Read from a fresh process: the test runner replaces the backend with its own in this one."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("NMAHP_SMTP_HOST", "NMAHP_EMAIL_FILE_PATH", "NMAHP_EMAIL_BACKEND")}
    code = "from nmahp.web import settings; print(settings.EMAIL_BACKEND)"
    said = subprocess.run([sys.executable, "-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "nmahp.web.settings"},
                          capture_output=True, text=True, check=True)
    assert said.stdout.strip() == BACKEND
    said = subprocess.run([sys.executable, "-c", code], env={**env, "NMAHP_SMTP_HOST": "smtp.example"},
                          capture_output=True, text=True, check=True)
    assert said.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"
