"""Property: any mapping (well-formed or not) with any mangled export either stores every kept row or none,
and never ends in a traceback: only NmahpError with a message, or a result listing its problems."""

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nmahp.errors import NmahpError
from nmahp.instruments import get_instrument
from nmahp.instruments.synth import synthesise
from tests.exportwriter import write_surveymonkey
from tests.importers.test_mangled_exports import mangle, mutation

NMAHP = get_instrument("nmahp")
QUESTIONS = [q for q in NMAHP.questions.values() if q.holds_answer]
NAMES = [q.name for q in QUESTIONS]
SEED: dict[str, object] = {}


def seed(tmp_path_factory) -> tuple[bytes, list[str]]:
    if not SEED:
        path = tmp_path_factory.mktemp("seed") / "seed.csv"
        write_surveymonkey(NMAHP, synthesise(NMAHP, 8, seed=11), path)
        import csv

        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        current, displays = "", []
        for header, sub in zip(rows[0], rows[1], strict=True):
            current = header or current
            displays.append(f"{current} | {sub}" if sub else current)
        SEED.update(data=path.read_bytes(), displays=displays)
    return SEED["data"], SEED["displays"]


def choices_of(name):
    return [c.name for c in NMAHP.questions[name].choices] or ["x"]


question = st.sampled_from(NAMES)
ticked = question.flatmap(lambda q: st.sampled_from(choices_of(q)).map(lambda c: f"{q} = {c}"))
target = st.one_of(question, ticked, st.sampled_from(["ignore", "respondent_id", "end_date", "personal"]),
                   question.map(lambda q: {"other": q}), question.map(lambda q: {"join": q}), st.text(max_size=12),
                   st.integers(), st.lists(st.text(max_size=4), max_size=2))
label_map = st.dictionaries(st.text(max_size=15), st.one_of(st.text(max_size=10), ticked.map(lambda t: t[-6:])),
                            max_size=3)


@st.composite
def mappings(draw, displays):
    columns = draw(st.dictionaries(st.one_of(st.sampled_from(displays), st.text(max_size=20)), target, max_size=6))
    values = draw(st.dictionaries(question, label_map, max_size=2))
    constants = draw(st.dictionaries(question, st.one_of(question.flatmap(lambda q: st.sampled_from(choices_of(q))),
                                                         st.text(max_size=8)), max_size=2))
    shape = draw(st.sampled_from(["mapping", "mapping", "mapping", "list", "junk"]))
    if shape == "list":
        return yaml.safe_dump([columns])
    if shape == "junk":
        return draw(st.text(max_size=60))
    return yaml.safe_dump({"columns": columns, "values": values, "constants": constants}, allow_unicode=True)


@pytest.mark.db
@pytest.mark.django_db(transaction=False)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data(), steps=st.lists(mutation, min_size=0, max_size=3),
       policy=st.sampled_from(["strict", "as-recorded"]))
def test_any_mapping_with_any_export_stores_all_kept_rows_or_none(tmp_path_factory, tmp_path, data, steps, policy):
    from nmahp.app.imports import import_export
    from nmahp.web.surveys.models import ContactDetails, ImportRecord, Response

    raw, displays = seed(tmp_path_factory)
    export = tmp_path / "export.csv"
    export.write_bytes(mangle(raw, steps))
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(data.draw(mappings(displays)), encoding="utf-8")
    try:
        outcome = import_export(export, "nmahp", "fuzz", mapping=mapping, policy=policy)
    except NmahpError as exc:
        assert str(exc).strip()
        assert Response.objects.count() == 0 and ContactDetails.objects.count() == 0
        return
    if outcome.stored:
        assert outcome.result.ok
        assert Response.objects.count() == outcome.added == outcome.result.kept
        assert ImportRecord.objects.count() == 1
    else:
        assert not outcome.result.ok and outcome.result.errors
        assert all(p.message for p in outcome.result.errors)
        assert Response.objects.count() == 0 and ImportRecord.objects.count() == 0
    Response.objects.all().delete()
    ContactDetails.objects.all().delete()
    ImportRecord.objects.all().delete()


def test_seed_export_imports_with_no_mapping(tmp_path_factory, tmp_path):
    from nmahp.importers import import_file

    raw, _ = seed(tmp_path_factory)
    path = Path(tmp_path) / "seed.csv"
    path.write_bytes(raw)
    assert import_file(path, NMAHP).kept == 8  # the property starts from an export that imports
