"""Respondent keys never reach the server's log: the request and server loggers redact keyed paths."""

import logging

import pytest
from django.test import Client

from nmahp.web.redact import redact

KEY = "Sk3y_-ZZqwertyuiop12345"


def test_keyed_paths_are_redacted():
    assert redact(f"Not Found: /respond/{KEY}/check/") == "Not Found: /respond/[key]/check/"
    assert redact(f"/respond/{KEY}.json /mentoring/me/{KEY}/ /mentoring/join/?from={KEY}&x=1") == \
        "/respond/[key].json /mentoring/me/[key]/ /mentoring/join/?from=[key]&x=1"
    assert redact("/survey/abc/ /dashboard/wave/3/") == "/survey/abc/ /dashboard/wave/3/"
    # an invitee's own links (nmahp.web.outreach) open their response and their subscription
    assert redact(f"Not Found: /invite/{KEY}/ /unsubscribe/{KEY}.json /careers/alerts/{KEY}/") == \
        "Not Found: /invite/[key]/ /unsubscribe/[key].json /careers/alerts/[key]/"


@pytest.mark.db
@pytest.mark.django_db
@pytest.mark.parametrize("path", [f"/respond/{KEY}/", f"/respond/{KEY}/check.json", f"/mentoring/me/{KEY}/",
                                  f"/invite/{KEY}/", f"/unsubscribe/{KEY}.json", f"/careers/alerts/{KEY}/"])
def test_django_request_log_has_no_key(caplog, path):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert Client().get(path).status_code == 404
    assert "Not Found: " in caplog.text and "[key]" in caplog.text
    assert KEY not in caplog.text and all(KEY not in r.getMessage() for r in caplog.records)


def test_bad_request_and_the_development_servers_access_log(caplog):
    server = logging.getLogger("django.server")  # does not propagate: listen on it directly
    server.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="django.server"):
            server.info('"%s" %s %s', f"GET /mentoring/join/?from={KEY} HTTP/1.1", 200, 512)
            logging.getLogger("django.request").warning("Bad Request: %s", f"/respond/{KEY}/about-you/")
    finally:
        server.removeHandler(caplog.handler)
    assert len(caplog.records) == 2 and KEY not in caplog.text
    assert "/mentoring/join/?from=[key]" in caplog.text and "Bad Request: /respond/[key]/about-you/" in caplog.text
