"""A large export is read, checked and stored a batch at a time. The duplicate rule reads the whole file,
so a batch's choice can be overturned by a later row: the rows finally kept, the duplicates listed and the
problems reported are exactly those of reading the file whole, however small the batches."""

import csv

import polars as pl
import pytest

from nmahp.importers import import_file
from nmahp.importers.pipeline import open_import
from nmahp.instruments.synth import synthesise
from tests.exportwriter import write_surveymonkey

END = 3  # SurveyMonkey's 'End Date' column
TINY = 3_000  # bytes: one or two respondents a batch


def _rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _synthetic_rows(tmp_path, nmahp, n, seed):
    """A SurveyMonkey export of n synthetic respondents, as rows: two header rows, then one per respondent."""
    base = tmp_path / "base.csv"
    write_surveymonkey(nmahp, synthesise(nmahp, n, seed=seed), base)
    return _rows(base)


def _write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def tangled(tmp_path, nmahp):
    """Respondents resubmitting and twins, spread so that each decision meets a later row that changes it."""
    rows = _synthetic_rows(tmp_path, nmahp, 30, seed=11)
    head, body = rows[:2], rows[2:]
    # file row numbers: the first respondent is row 3
    later = list(body[0])
    later[END] = "02/14/2023 10:30:00 AM"  # respondent of row 3 sends again, later: row 33 replaces row 3
    earlier = list(body[1])
    earlier[END] = "02/14/2023 08:00:00 AM"  # respondent of row 4 again, dated before: row 34 goes
    twin_of_5 = list(body[2])
    twin_of_5[0] = "900"  # row 35: the answers of row 5 under a new ID, so a twin of row 5...
    resent_5 = list(body[2])
    resent_5[rows[0].index(nmahp.questions["job_title"].label)] = "Clinical Academic"  # other answers
    resent_5[END] = "02/14/2023 11:00:00 AM"  # ...until row 36, row 5's respondent resending other answers,
    # replaces row 5: row 35 has no twin left and stays
    twin_of_7 = list(body[4])
    twin_of_7[0] = "901"  # row 37: identical to row 7, which stays: row 37 goes
    again_7 = list(twin_of_7)
    again_7[0] = "902"  # row 38: identical again: goes, as a twin of row 7
    rows = head + body + [later, earlier, twin_of_5, resent_5, twin_of_7, again_7]
    return _write(tmp_path / "tangled.csv", rows)


def _outcome(result):
    frame = result.frame.sort("_row")
    return {"kept": frame["_row"].to_list(), "ids": frame["_external_id"].to_list(),
            # a batch leaves out a question nobody in it answered: the answers given are what must agree
            "answers": [{k: v for k, v in row.items() if v is not None} for row in frame.drop("_flags").to_dicts()],
            "duplicates": result.duplicates, "excluded": result.excluded,
            "problems": [(p.rule, p.question, p.value, p.rows) for p in result.problems], "breaks": result.breaks,
            "count": result.kept}


def test_small_batches_keep_exactly_what_the_whole_file_keeps(tangled, nmahp):
    whole = import_file(tangled, nmahp)
    small = import_file(tangled, nmahp, batch_bytes=TINY)
    assert _outcome(small) == _outcome(whole)
    assert whole.ok and not whole.excluded and whole.kept == 36 - 5
    removed = dict(whole.duplicates)
    assert sorted(removed) == [3, 5, 34, 37, 38]
    assert removed[3].endswith("again in row 33") and removed[5].endswith("again in row 36")
    assert removed[34].endswith("again in row 4")
    assert removed[37] == removed[38] == "identical answers to row 7"
    assert 35 in whole.frame["_row"].to_list()  # the twin of a respondent who resent is no twin any more


def test_a_batch_choice_the_rest_of_the_file_overturns_is_given_back(tangled, nmahp):
    streamed = open_import(tangled, nmahp, batch_bytes=TINY)
    handed, superseded = set(), []
    for part in streamed.parts():
        superseded += part.superseded
        handed |= set(part.frame["_external_id"].to_list())
    last = streamed.finish()
    rows = _rows(tangled)
    id_of = {n: rows[n - 1][0] for n in (3, 5)}
    assert id_of[3] in superseded and id_of[5] in superseded  # handed out, then replaced by a later row
    assert last.frame["_row"].to_list() == [35]  # held back as a twin, kept once row 5 was replaced
    assert not set(last.superseded)  # no row handed out is removed at the end


def test_rule_problems_of_removed_duplicates_are_not_reported(tmp_path, nmahp):
    rows = _synthetic_rows(tmp_path, nmahp, 12, seed=5)
    head, body = rows[:2], rows[2:]
    broken = list(body[0])
    region = rows[1].index("Response", rows[0].index(nmahp.questions["region"].label))
    broken[region] = "Atlantis"  # not an option: a problem, in a submission its respondent later replaced
    body[0] = broken
    resent = list(rows[3])  # the same respondent, later, with a valid answer
    resent[END] = "02/14/2023 10:30:00 AM"
    path = _write(tmp_path / "resent.csv", head + body + [resent])
    for batch_bytes in (0, TINY):
        result = import_file(path, nmahp, batch_bytes=batch_bytes)
        # an unreadable answer is the file's problem whichever submission is kept
        assert [p.value for p in result.errors] == ["Atlantis"]


def test_flags_of_the_as_recorded_policy_survive_batches(tmp_path, nmahp):
    from nmahp.importers.problems import SKIP_LOGIC

    base = tmp_path / "base.csv"
    write_surveymonkey(nmahp, synthesise(nmahp, 20, seed=2), base)
    whole = import_file(base, nmahp, policy="as-recorded")
    small = import_file(base, nmahp, policy="as-recorded", batch_bytes=TINY)
    assert _outcome(small) == _outcome(whole)
    assert small.frame["_flags"].to_list() == whole.frame["_flags"].to_list()
    assert all(rule != SKIP_LOGIC or n > 0 for (_, rule), n in small.breaks.items())


# --- storing part by part ----------------------------------------------------------------------------------
@pytest.mark.db
@pytest.mark.django_db
def test_storing_part_by_part_deletes_what_a_later_row_replaces(tangled, nmahp):
    from nmahp.web.surveys import store
    from nmahp.web.surveys.models import ContactDetails, Response

    whole = import_file(tangled, nmahp)
    wave = store.get_or_create_wave("nmahp", "streamed")
    added, present = store.store_streamed(wave, open_import(tangled, nmahp, batch_bytes=TINY), source="test")
    stored = sorted(Response.objects.filter(wave=wave).values_list("external_id", flat=True))
    assert (added, present) == (whole.kept, 0)
    assert stored == sorted(whole.frame["_external_id"].to_list())
    # a replaced respondent's contact details went with their answers
    keys = set(Response.objects.filter(wave=wave).values_list("respondent_key", flat=True))
    assert set(ContactDetails.objects.values_list("respondent_key", flat=True)) <= keys
    # the same file again adds nothing and deletes nothing
    again = store.store_streamed(wave, open_import(tangled, nmahp, batch_bytes=TINY), source="test")
    assert again == (0, whole.kept)
    assert Response.objects.filter(wave=wave).count() == whole.kept


@pytest.mark.db
@pytest.mark.django_db
def test_a_refusal_late_in_the_file_undoes_every_part_and_the_new_wave(tmp_path, nmahp):
    from nmahp.app.imports import import_export
    from nmahp.web.surveys.models import Response, Wave

    rows = _synthetic_rows(tmp_path, nmahp, 25, seed=4)
    region = rows[1].index("Response", rows[0].index(nmahp.questions["region"].label))
    rows[-1][region] = "Atlantis"  # the last row: every part before it was already stored
    path = _write(tmp_path / "late.csv", rows)
    outcome = import_export(path, "nmahp", "late-refusal")
    assert not outcome.stored and not outcome.result.ok
    assert [p.rows for p in outcome.result.errors] == [[len(rows)]]
    assert not Wave.objects.filter(name="late-refusal").exists()
    assert Response.objects.count() == 0


@pytest.mark.db
@pytest.mark.django_db
def test_a_write_that_fails_on_the_way_undoes_the_import(nmahp):
    from django.db import IntegrityError, transaction

    from nmahp.web.surveys import bulk, store
    from nmahp.web.surveys.models import Response

    wave = store.get_or_create_wave("nmahp", "clash")
    frame = pl.DataFrame({"age": ["40_49", "30_39"], "_external_id": ["same", "same"], "_flags": ["[]", "[]"]})
    with pytest.raises(IntegrityError), transaction.atomic():
        writer = bulk.Writer()
        try:
            bulk.write_responses(wave, frame, contact=[], source="test", writer=writer)
            writer.close()
        except BaseException:
            writer.abandon()
            raise
    assert Response.objects.filter(wave=wave).count() == 0


@pytest.mark.db
@pytest.mark.django_db
def test_answers_with_awkward_characters_are_stored_as_given(nmahp):
    from nmahp.web.surveys import bulk, store
    from nmahp.web.surveys.models import Response

    wave = store.get_or_create_wave("nmahp", "awkward")
    said = ["tab\there", "two\nlines\r\nand more", "back\\slash \\N and \\t", '"quoted", she said', "\\N", "",
            "café – ✓ 😀", "nul-free \x7f"]
    frame = pl.DataFrame({"job_title": said, "_external_id": [f"id{i}" for i in range(len(said))],
                          "_flags": ["[]"] * len(said)})
    bulk.write_responses(wave, frame.with_columns(pl.col("job_title").replace("", None)), contact=[], source="tab\tsource")
    stored = dict(Response.objects.filter(wave=wave).values_list("external_id", "answers"))
    assert [stored[f"id{i}"].get("job_title") for i in range(len(said))] == [s or None for s in said]
    assert set(Response.objects.filter(wave=wave).values_list("source", flat=True)) == {"tab\tsource"}
