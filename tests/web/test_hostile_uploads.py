"""Hostile .qdpx uploads to the coding page: each is refused with a 400 and a message naming the file,
never a 500; nothing is stored, and the project's export still works afterwards."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nmahp.web.coding.models import CodeItem, HighlightItem
from tests.qualitative.hostile import coding_project_with_history, named_cases, valid_qdpx

pytestmark = [pytest.mark.db, pytest.mark.django_db]


@pytest.fixture
def project():
    return coding_project_with_history("uploads")


def counts(project):
    return (project.codes.count(), project.documents.count(),
            HighlightItem.objects.filter(document__project=project).count())


@pytest.mark.parametrize("name", sorted(named_cases()))
def test_a_hostile_upload_is_a_400_with_a_message_and_stores_nothing(project, signed_in, name):
    analyst = signed_in("analyst")
    before = counts(project)
    response = analyst.post(f"/coding/{project.pk}/import/",
                            {"file": SimpleUploadedFile(name, named_cases()[name])})
    assert response.status_code == 400
    page = response.content.decode()
    assert name in page and "Imported" not in page
    assert counts(project) == before
    for fmt in ("qdpx", "qdc"):
        assert analyst.get(f"/coding/{project.pk}/export.{fmt}").status_code == 200


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(project, signed_in, monkeypatch):
    monkeypatch.setenv("NMAHP_MAX_QDA_MB", "0.0001")
    response = signed_in("analyst").post(f"/coding/{project.pk}/import/",
                                         {"file": SimpleUploadedFile("big.qdpx", valid_qdpx())})
    assert response.status_code == 400 and "NMAHP_MAX_QDA_MB" in response.content.decode()


def test_a_valid_upload_still_imports(project, signed_in):
    analyst = signed_in("analyst")
    response = analyst.post(f"/coding/{project.pk}/import/", {"file": SimpleUploadedFile("ok.qdpx", valid_qdpx())})
    said = " ".join(response.content.decode().split())
    assert response.status_code == 200 and "Imported 1 codes, 1 documents and 1 highlights" in said
    assert analyst.get(f"/coding/{project.pk}/export.qdpx").status_code == 200


def test_a_colour_that_is_not_hex_is_not_stored_from_the_code_form(project, signed_in):
    analyst = signed_in("analyst")
    analyst.post(f"/coding/{project.pk}/", {"name": "Odd colour", "color": "#zzzzzz"})
    assert CodeItem.objects.get(name="Odd colour").color == "#005EB8"
    assert analyst.get(f"/coding/{project.pk}/export.qdpx").status_code == 200
