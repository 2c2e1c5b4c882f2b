"""Property: however an export is mangled, the import either stores every row or none, and never
fails with a traceback (only ReadError, with a message, or a result listing row errors)."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nmahp.importers import ReadError, import_file
from nmahp.instruments import get_instrument
from nmahp.instruments.synth import synthesise
from tests.exportwriter import write_surveymonkey

NMAHP = get_instrument("nmahp")


def _export(tmp: Path) -> bytes:
    path = tmp / "seed.csv"
    write_surveymonkey(NMAHP, synthesise(NMAHP, 6, seed=5), path)
    return path.read_bytes()


SEED = None


def seed_bytes(tmp_path_factory) -> bytes:
    global SEED
    if SEED is None:
        SEED = _export(tmp_path_factory.mktemp("seed"))
    return SEED


mutation = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 400)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=40)),
    st.tuples(st.just("text"), st.floats(0, 1), st.text(min_size=1, max_size=40)),
    st.tuples(st.just("swap_lines"), st.integers(0, 7), st.integers(0, 7)),
    st.tuples(st.just("duplicate_line"), st.integers(0, 7)),
    st.tuples(st.just("drop_column"), st.integers(0, 300)),
)


def mangle(data: bytes, steps) -> bytes:
    for step in steps:
        kind = step[0]
        if kind == "truncate":
            data = data[: int(len(data) * step[1])]
        elif kind == "delete":
            at = int(len(data) * step[1])
            data = data[:at] + data[at + step[2]:]
        elif kind == "insert":
            at = int(len(data) * step[1])
            data = data[:at] + step[2] + data[at:]
        elif kind == "text":
            at = int(len(data) * step[1])
            data = data[:at] + step[2].encode("utf-8", "surrogatepass") + data[at:]
        else:
            lines = data.split(b"\n")
            if kind == "swap_lines" and lines:
                i, j = step[1] % len(lines), step[2] % len(lines)
                lines[i], lines[j] = lines[j], lines[i]
            elif kind == "duplicate_line" and lines:
                lines.insert(step[1] % len(lines), lines[step[1] % len(lines)])
            elif kind == "drop_column":
                lines = [b",".join(c for k, c in enumerate(line.split(b",")) if k != step[1]) for line in lines]
            data = b"\n".join(lines)
    return data


@pytest.mark.db
@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(mutation, min_size=1, max_size=4))
def test_mangled_exports_never_half_import(tmp_path_factory, tmp_path, steps):
    from nmahp.web.surveys import store
    from nmahp.web.surveys.models import ContactDetails, Response

    path = tmp_path / "mangled.csv"
    path.write_bytes(mangle(seed_bytes(tmp_path_factory), steps))
    wave = store.get_or_create_wave("nmahp", "fuzz")
    try:
        result = import_file(path, NMAHP)
    except ReadError as exc:
        assert str(exc)  # a message for the person, not a traceback
        assert Response.objects.count() == 0
        return
    if result.ok:
        added, _ = store.store_import(wave, result, source="fuzz")
        assert Response.objects.count() == added == len(result.respondents)
    else:
        assert result.respondents == []
        assert all(e.row >= 1 and (e.column or e.question) and e.expected for e in result.errors)
        with pytest.raises(store.NmahpError):
            store.store_import(wave, result, source="fuzz")
        assert Response.objects.count() == 0
    Response.objects.all().delete()
    ContactDetails.objects.all().delete()
