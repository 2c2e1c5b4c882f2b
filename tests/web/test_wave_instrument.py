"""A wave's instrument is one of the registered instruments: checked on save and clean and offered as a
choice in the admin; a stored name is never read as a path, and a wave whose instrument has gone gives the
respondent a plain 404, not a 500."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from nmahp.errors import NmahpError
from nmahp.instruments import available, get_instrument, resolve
from nmahp.web.surveys.admin import WaveForm
from nmahp.web.surveys.models import CollectorLink, Wave

pytestmark = [pytest.mark.db, pytest.mark.django_db]


@pytest.mark.parametrize("name", ["no_such_survey", "../workbooks/nmahp_survey", "/etc/passwd.xlsx", ""])
def test_a_wave_of_an_unregistered_instrument_is_refused(name):
    with pytest.raises(ValidationError):
        Wave.objects.create(instrument=name, name="2031", form_version="1")
    with pytest.raises(ValidationError):
        Wave(instrument=name, name="2031", form_version="1").full_clean()
    assert not Wave.objects.filter(name="2031").exists()


def test_the_admin_offers_the_registered_instruments_only():
    form = WaveForm(data={"instrument": "../../etc/passwd", "name": "2031", "form_version": "1"})
    assert not form.is_valid() and "instrument" in form.errors
    assert [value for value, _ in WaveForm().fields["instrument"].choices] == available()
    assert WaveForm(data={"instrument": "nmahp_survey", "name": "2031", "form_version": "1"}).is_valid()


def test_a_stored_name_is_never_a_path(tmp_path):
    workbook = resolve("nmahp")
    copy = tmp_path / "elsewhere.xlsx"
    copy.write_bytes(workbook.read_bytes())
    with pytest.raises(NmahpError, match="no instrument called"):
        get_instrument(str(copy))
    assert get_instrument(str(copy), allow_path=True).form_id == "nmahp_survey"  # the CLI's --instrument FILE
    with pytest.raises(NmahpError, match="no such workbook"):
        get_instrument(str(tmp_path / "missing.xlsx"), allow_path=True)


def test_the_public_link_of_a_wave_whose_instrument_has_gone_is_a_404():
    wave = Wave.objects.create(instrument="nmahp_survey", name="2031", form_version="1")
    link = CollectorLink.objects.create(wave=wave, channel="email")
    Wave.objects.filter(pk=wave.pk).update(instrument="retired_survey")  # e.g. its workbook was removed
    client = Client(raise_request_exception=False)
    for address in (f"/survey/{link.token}/", f"/survey/{link.token}.json"):
        response = client.get(address)
        assert response.status_code == 404, address
