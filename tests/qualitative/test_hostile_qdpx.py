"""Hostile .qdpx archives (mangled project.qde, bad GUIDs, colours, positions and UTF-8, cycles, deep nesting,
zip bombs built small): the reader returns a project that can be stored and exported, or raises NmahpError,
never anything else; through the application layer, a refused file stores nothing."""

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings

from nmahp.errors import NmahpError
from nmahp.qualitative.refi import import_qdc, import_qdpx, qdpx_bytes

from .hostile import coding_project_with_history, hostile_qdpx, named_cases, valid_qdpx

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
COLOUR = re.compile(r"#[0-9A-F]{6}")
SMALL_LIMITS = {"NMAHP_MAX_UNZIPPED_MEMBER_MB": "1", "NMAHP_MAX_UNZIPPED_MB": "2", "NMAHP_MAX_XML_MB": "1"}


@pytest.fixture
def small_limits(monkeypatch):
    for variable, value in SMALL_LIMITS.items():
        monkeypatch.setenv(variable, value)


def check_valid(project) -> None:
    """What a returned project promises: every id a GUID, every colour #RRGGBB or none, every highlight inside its
    document, the codes a tree, and the whole of it exportable (the export validates against the schema)."""
    for code in project.codebook.codes.values():
        assert GUID.fullmatch(code.id) and code.name and len(code.name) <= 200
        assert code.color is None or COLOUR.fullmatch(code.color)
        assert code.parent is None or code.parent in project.codebook.codes
        seen, node = set(), code
        while node.parent is not None:  # no loops
            assert node.id not in seen
            seen.add(node.id)
            node = project.codebook.codes[node.parent]
    for document in project.documents.values():
        assert GUID.fullmatch(document.id) and "\x00" not in document.text and len(document.name) <= 200
    for highlight in project.highlights:
        text = project.documents[highlight.document].text
        assert GUID.fullmatch(highlight.id) and 0 <= highlight.start <= highlight.end <= len(text)
        assert all(GUID.fullmatch(c) for c in highlight.codes)
    qdpx_bytes(project)


def read(tmp_path, data: bytes, name="hostile.qdpx"):
    path = tmp_path / name
    path.write_bytes(data)
    return import_qdpx(path)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=hostile_qdpx())
def test_a_hostile_archive_gives_a_valid_project_or_a_clear_error(tmp_path, small_limits, data):
    try:
        project = read(tmp_path, data)
    except NmahpError as exc:
        assert str(exc).startswith(str(tmp_path / "hostile.qdpx")), exc  # names the file
        assert "\n" not in str(exc)
    else:
        check_valid(project)


@pytest.mark.parametrize("name", sorted(named_cases()))
def test_each_named_hostile_file_is_refused_with_its_name(tmp_path, name):
    started = time.perf_counter()
    with pytest.raises(NmahpError) as raised:
        read(tmp_path, named_cases()[name], name)
    assert name in str(raised.value)
    assert time.perf_counter() - started < 5


def test_a_600_mb_bomb_is_refused_from_the_archive_directory(tmp_path):
    from .hostile import zip_bomb

    bomb = zip_bomb(600 << 20)
    assert len(bomb) < 1_000_000
    with pytest.raises(NmahpError, match="over the limit"):
        read(tmp_path, bomb, "bomb.qdpx")


def test_refi_ids_are_normalised_and_the_round_trip_holds(tmp_path):
    project = read(tmp_path, valid_qdpx())
    check_valid(project)
    [highlight] = project.highlights
    assert project.text_of(highlight) == "Protected time helped."


def test_a_hostile_codebook_is_refused(tmp_path):
    path = tmp_path / "book.qdc"
    path.write_bytes(b'<?xml version="1.0"?><!DOCTYPE CodeBook [<!ENTITY a "x">]>'
                     b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>')
    with pytest.raises(NmahpError, match="DOCTYPE"):
        import_qdc(path)
    path.write_bytes(b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="x" name="a" '
                     b'isCodable="true"/></Codes></CodeBook>')
    with pytest.raises(NmahpError, match="not a GUID"):
        import_qdc(path)


# --- through the application layer: nothing is stored when a file is refused ---------------------------------
@pytest.fixture
def project(db):
    return coding_project_with_history("hostile")


def stored(project):
    from nmahp.web.coding.models import HighlightItem

    return (list(project.codes.order_by("pk").values_list("guid", "name", "color", "parent_id")),
            list(project.documents.order_by("pk").values_list("guid", "text")),
            list(HighlightItem.objects.filter(document__project=project).order_by("pk")
                 .values_list("guid", "start", "end")))


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=hostile_qdpx())
def test_a_refused_file_stores_nothing_and_export_still_works(tmp_path, small_limits, project, data):
    from nmahp.app import coding

    path = tmp_path / "hostile.qdpx"
    path.write_bytes(data)
    before = stored(project)
    try:
        coding.import_refi(project, path)
    except NmahpError:
        assert stored(project) == before
    coding.export(project, "qdpx")
    coding.export(project, "qdc")
    coding.overview(project)


@pytest.mark.django_db
def test_named_hostile_files_store_nothing(tmp_path, project):
    from nmahp.app import coding

    before = stored(project)
    for name, data in named_cases().items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(NmahpError):
            coding.import_refi(project, path)
        assert stored(project) == before, name
    coding.export(project, "qdpx")


@pytest.mark.django_db
def test_a_parent_that_would_close_a_loop_with_stored_codes_is_left_out(tmp_path, project):
    from nmahp.app import coding
    from nmahp.web.coding.models import CodeItem

    from .hostile import archive, code_xml, guid, project_qde

    outer, inner = guid(), guid()
    first = tmp_path / "first.qdpx"
    first.write_bytes(archive({"project.qde": project_qde(codes=code_xml("Outer", outer, None,
                                                                          code_xml("Inner", inner)))}))
    coding.import_refi(project, first)
    flipped = tmp_path / "flipped.qdpx"
    flipped.write_bytes(archive({"project.qde": project_qde(codes=code_xml("Inner", inner, None,
                                                                            code_xml("Outer", outer)))}))
    coding.import_refi(project, flipped)
    assert CodeItem.objects.get(guid=outer).parent is None
    assert CodeItem.objects.get(guid=inner).parent.guid == outer
    coding.export(project, "qdpx")
