import os

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from nmahp.web.accounts.models import Profile

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"
# a background job runs inside the request that submits it (Huey's immediate mode), so a page that starts
# one is tested as one request; tests/web/test_jobs.py runs real workers on SQLite and Redis queues
os.environ.setdefault("NMAHP_QUEUE", "immediate")


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def make_user(db):
    def make(username, role, region="", password="a-long-test-password"):
        user = get_user_model().objects.create_user(username=username, password=password,
                                                    is_staff=role == "admin", is_superuser=role == "admin")
        Profile.objects.create(user=user, role=role, region=region, totp_secret=SECRET if role in
                               ("analyst", "admin") else "")
        return user
    return make


@pytest.fixture
def signed_in(make_user):
    """A client signed in as the role, second factor done where the role needs it."""
    def sign_in(role, region="greater_manchester"):
        user = make_user(f"{role}-user", role, region=region if role == "lead" else "")
        client = Client()
        client.force_login(user)
        session = client.session
        session["second_factor"] = True
        session.save()
        return client
    return sign_in


def totp_now():
    return pyotp.TOTP(SECRET).now()
