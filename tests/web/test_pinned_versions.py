"""A wave pinned to a kept version of its workbook is read as that version everywhere, whatever the workbooks
folder holds now: a question renamed in the folder's workbook is still the wave's question on the dashboard
(the wave page, the table and its twin), in its snapshot and in what the CLI and report read."""

import io

import pytest
from openpyxl import load_workbook

from nmahp.app import programme
from nmahp.instruments import get_instrument, resolve
from nmahp.instruments.synth import Synthesiser
from nmahp.web.programme.models import InstrumentVersion
from nmahp.web.surveys import store

pytestmark = [pytest.mark.db, pytest.mark.django_db]
OLD_LABEL = "How keen are you on a research career?"


def workbook(version: str, *, label: str | None = None, rename: str | None = None) -> bytes:
    """The NMAHP workbook with its version set, and research_interest relabelled or renamed."""
    book = load_workbook(resolve("nmahp"))
    survey, settings = book["survey"], book["settings"]
    settings.cell(row=2, column={c.value: c.column for c in settings[1]}["version"], value=version)
    columns = {cell.value: cell.column for cell in survey[1]}
    for row in range(2, survey.max_row + 1):
        if survey.cell(row=row, column=columns["name"]).value == "research_interest":
            if label:
                survey.cell(row=row, column=columns["label"], value=label)
            if rename:
                survey.cell(row=row, column=columns["name"], value=rename)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_question_renamed_in_the_folder_is_still_the_pinned_waves_question(signed_in, monkeypatch, tmp_path):
    from nmahp.app.waves import wave_responses

    folder = tmp_path / "workbooks"
    folder.mkdir()
    (folder / "nmahp_survey.xlsx").write_bytes(resolve("nmahp").read_bytes())
    monkeypatch.setenv("NMAHP_INSTRUMENTS_DIR", str(folder))
    analyst = signed_in("analyst")
    handle = io.BytesIO(workbook("2024.1", label=OLD_LABEL))
    handle.name = "nmahp_survey.xlsx"
    assert analyst.post("/programme/versions/", {"workbook": handle, "renames": ""}).status_code == 302
    kept = InstrumentVersion.objects.get(instrument="nmahp_survey", version="2024.1")
    wave = programme.create_wave(kept.pk, "2024", actor="analyst-user")
    rows = list(Synthesiser(store.instrument_for(wave), seed=7).stream(60))
    store.bulk_load(wave, rows, source="synth:pinned")
    answered = sum(1 for r in rows if r.get("research_interest"))
    # the folder moves on to a newer version in which the question has another name
    (folder / "nmahp_survey.xlsx").write_bytes(workbook("2025.1", rename="research_keenness"))
    assert "research_interest" not in get_instrument("nmahp").questions

    twin = analyst.get(f"/dashboard/wave/{wave.pk}/tables/research_interest.json").json()
    assert twin["table"]["label"] == OLD_LABEL
    assert twin["table"]["base_n"] == answered > 0
    page = analyst.get(f"/dashboard/wave/{wave.pk}/tables/research_interest/")
    assert page.status_code == 200 and OLD_LABEL in page.content.decode()
    listed = analyst.get(f"/dashboard/wave/{wave.pk}.json").json()
    assert "research_interest" in str(listed) and "research_keenness" not in str(listed)
    responses = wave_responses(wave)
    assert "research_interest" in responses.frame.columns and responses.instrument.version == "2024.1"
