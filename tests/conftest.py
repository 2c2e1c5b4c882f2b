import pytest

from nmahp.instruments import get_instrument, load_instrument

from . import conformance as _conformance
from .conformance import conformance  # noqa: F401  (a fixture)
from .formtools import workbook_from_md


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2 spends 0.4 s on each password by design; the suite creates hundreds of accounts, so tests
    # hash with MD5 (the service itself keeps Django's default)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def nmahp():
    return get_instrument("nmahp")


@pytest.fixture(scope="session")
def leads():
    return get_instrument("leads")


@pytest.fixture
def md_form(tmp_path):
    """Build an instrument from a markdown-table form."""
    counter = iter(range(1000))

    def build(md: str):
        return load_instrument(workbook_from_md(md, tmp_path / f"form{next(counter)}.xlsx"))

    return build


@pytest.fixture
def md_workbook(tmp_path):
    counter = iter(range(1000))

    def build(md: str):
        return workbook_from_md(md, tmp_path / f"book{next(counter)}.xlsx")

    return build


def pytest_sessionstart(session):
    _conformance.start(session)


def pytest_sessionfinish(session, exitstatus):
    _conformance.finish(session)
