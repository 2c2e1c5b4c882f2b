"""A logging filter that keeps respondent keys (and clinicians' profile keys) out of the server's log.

A respondent key opens that respondent's answers, so it must never be written down: Django's request
logger ('Not Found: /respond/<key>/...') and the development server's access log carry request paths.
The filter rewrites such a record's message with every key replaced by '[key]'."""

from __future__ import annotations

import logging
import re

# /respond/<key>/..., /respond/<key>.json, /mentoring/me/<key>/, ?from=<key> on the opt-in form, and an
# invitee's own links /invite/<token>/ and /unsubscribe/<token>/, and an opportunity alert's /careers/alerts/<token>/
KEYED = re.compile(r"(/respond/|/mentoring/me/|/invite/|/unsubscribe/|/careers/alerts/|[?&]from=)[^/?&#\s\"'.]+")


def redact(text: str) -> str:
    return KEYED.sub(r"\1[key]", text)


class RedactRespondentKeys(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot be formatted is left for logging to report
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True

