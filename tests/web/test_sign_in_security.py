"""The sign-in holds: the second factor cannot be guessed, a code works once, the Django admin is no way
round it, an outsider cannot lock every account, and a NUL byte is a 400, not a 500 on PostgreSQL."""

import time

import pyotp
import pytest
from django.test import Client

from nmahp.web.accounts.models import Profile, SignInAttempt

from .conftest import SECRET, totp_now

pytestmark = [pytest.mark.db, pytest.mark.django_db]

PASSWORD = "a-long-test-password"


def wrong_code() -> str:
    totp = pyotp.TOTP(SECRET)
    now = int(time.time()) // 30
    right = {totp.generate_otp(step) for step in range(now - 2, now + 3)}
    return next(code for code in ("000000", "111111", "222222") if code not in right)


def signed_in_fully(client) -> bool:
    return client.session.get("second_factor") is True and client.get("/dashboard/").status_code == 200


def password_then_code(client, username, code, password=PASSWORD):
    client.post("/sign-in/", {"username": username, "password": password, "next": "/dashboard/"})
    return client.post("/sign-in/code/", {"code": code, "next": "/dashboard/"})


def test_a_right_password_is_not_a_sign_in_until_the_code(make_user):
    make_user("ana", "analyst")
    client = Client()
    response = client.post("/sign-in/", {"username": "ana", "password": PASSWORD, "next": "/dashboard/"})
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/code/")
    assert "_auth_user_id" not in client.session  # nobody is signed in yet
    assert client.get("/dashboard/").status_code == 302
    assert SignInAttempt.objects.get(username="ana").outcome == SignInAttempt.PASSWORD_OK


def test_sixteen_wrong_codes_after_the_right_password_lock_the_account(make_user):
    make_user("ana", "analyst")
    client = Client()
    for _ in range(4):  # the attack: four codes, then the password again to reset the count, and so on
        client.post("/sign-in/", {"username": "ana", "password": PASSWORD})
        for _ in range(4):
            client.post("/sign-in/code/", {"code": wrong_code()})
    assert not signed_in_fully(client)
    # locked from every address, even with the right password and the right code
    elsewhere = Client(REMOTE_ADDR="198.51.100.9")
    refused = elsewhere.post("/sign-in/", {"username": "ana", "password": PASSWORD})
    assert refused.status_code == 200 and "Too many failed attempts for this account" in refused.content.decode()
    elsewhere.post("/sign-in/code/", {"code": totp_now()})
    assert not signed_in_fully(elsewhere)
    assert "_auth_user_id" not in elsewhere.session


def test_a_code_is_accepted_once(make_user):
    make_user("ana", "analyst")
    code = totp_now()
    first = Client()
    assert password_then_code(first, "ana", code).status_code == 302
    assert signed_in_fully(first)
    second = Client()
    again = password_then_code(second, "ana", code)
    assert again.status_code == 200 and "Enter the 6-digit code" in again.content.decode()
    assert not signed_in_fully(second)
    assert Profile.objects.get(user__username="ana").totp_last_step > 0


def test_the_admin_login_signs_nobody_in(make_user):
    make_user("boss", "admin")
    client = Client()
    page = client.get("/admin/login/?next=/admin/accounts/auditevent/")
    assert page.status_code == 302 and page["Location"] == "/sign-in/?next=%2Fadmin%2Faccounts%2Fauditevent%2F"
    posted = client.post("/admin/login/?next=/admin/", {"username": "boss", "password": PASSWORD,
                                                         "next": "/admin/"})
    assert posted.status_code == 302 and posted["Location"].startswith("/sign-in/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    assert not SignInAttempt.objects.exists()  # not even looked at


def test_the_admin_login_does_not_bypass_a_lock(make_user):
    make_user("boss", "admin")
    client = Client()
    client.post("/sign-in/", {"username": "boss", "password": PASSWORD})
    for _ in range(5):
        client.post("/sign-in/code/", {"code": wrong_code()})
    assert "Too many failed attempts" in client.post(
        "/sign-in/", {"username": "boss", "password": PASSWORD}).content.decode()
    fresh = Client()
    fresh.post("/admin/login/", {"username": "boss", "password": PASSWORD, "next": "/admin/"})
    assert "_auth_user_id" not in fresh.session
    assert fresh.get("/admin/").status_code == 302


def test_an_outsider_cannot_lock_every_admin(make_user):
    for name in ("admin", "admin2", "root"):
        make_user(name, "admin")
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    for name in ("admin", "admin2", "root", "administrator"):
        for _ in range(6):
            attacker.post("/sign-in/", {"username": name, "password": "guess"})
    # the attacker's address is throttled, whatever the name and even with the right password
    throttled = attacker.post("/sign-in/", {"username": "admin", "password": PASSWORD})
    assert "Too many failed attempts from your network" in throttled.content.decode()
    assert "sign_in_pending" not in attacker.session
    # the real admin, from their own address, signs in with password and code
    real = Client(REMOTE_ADDR="192.0.2.10")
    done = password_then_code(real, "admin", totp_now())
    assert done.status_code == 302 and done["Location"] == "/dashboard/"
    assert signed_in_fully(real) and real.get("/admin/").status_code == 200


def test_wrong_codes_count_against_the_address_too(make_user, settings):
    settings.NMAHP_SIGNIN_ADDRESS_FAILURES = 3
    settings.NMAHP_SIGNIN_CODE_FAILURES = 10
    make_user("ana", "analyst")
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.post("/sign-in/", {"username": "ana", "password": PASSWORD})
    for _ in range(3):
        client.post("/sign-in/code/", {"code": wrong_code()})
    refused = client.post("/sign-in/code/", {"code": totp_now()})
    assert "Too many failed attempts from your network" in refused.content.decode()
    assert not signed_in_fully(client)


def test_client_address_behind_a_proxy(make_user, settings):
    settings.NMAHP_PROXY_COUNT = 1
    make_user("lee", "lead")
    # the client's own X-Forwarded-For entries are ignored; the proxy's (rightmost) entry counts
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 2001:db8:1:2::99")
    client.post("/sign-in/", {"username": "lee", "password": "guess"})
    assert SignInAttempt.objects.get().address == "2001:db8:1:2::/64"


NUL_URLS = ["/survey/abc%00def/", "/respond/abc%00/", "/respond/abc%00/check/", "/mentoring/me/%00/",
            "/mentoring/me/%00.json", "/careers/schemes/%00/", "/sign-in/?next=%00", "/?wave=%00",
            "/careers/opportunities/?q=%00", "/dashboard/?wave=%00&region=%00",
            "/coding/?%00=1", "/admin/login/?next=/admin/%00"]


@pytest.mark.parametrize("url", NUL_URLS)
def test_a_nul_byte_in_an_address_is_a_400(url, signed_in):
    for client in (Client(), signed_in("analyst")):
        assert client.get(url).status_code == 400, url


def test_a_nul_byte_in_a_form_or_a_cookie_is_a_400(make_user):
    make_user("ana", "analyst")
    client = Client()
    assert client.post("/sign-in/", {"username": "ana\x00", "password": PASSWORD}).status_code == 400
    assert client.post("/sign-in/", {"username": "ana", "password": "x\x00"}).status_code == 400
    assert client.post("/mentoring/join/", {"name": "Sam\x00"}).status_code == 400
    assert not SignInAttempt.objects.exists()
    client.cookies["sessionid"] = "abcdefgh\x00ijk"
    assert client.get("/dashboard/").status_code == 400
