"""REFI-QDA as vendors write it: archive names in any case, positions in the exporting tool's own counting
(NVivo's UTF-16 code units, ATLAS.ti's one-character line ends, a byte-order mark never counted), notes,
note references, sets, isCodable and colours kept as given; the import summary; real codebooks that ATLAS.ti
and Taguette wrote (tests/fixtures/external/SOURCES.md), imported, exported and imported again."""

import io
import zipfile
from pathlib import Path

import pytest

from nmahp.errors import NmahpError
from nmahp.qualitative import Project
from nmahp.qualitative.documents import from_text
from nmahp.qualitative.refi import export_qdc, export_qdpx, import_qdpx, project_xml, read_qdc, validate_project_xml
from nmahp.qualitative.taguette import import_codebook, import_highlights

from .hostile import coding_project_with_history

EXTERNAL = Path(__file__).resolve().parents[1] / "fixtures" / "external" / "refi"
CODE, PARENT, SOURCE, SELECTION, NOTE, SET, USER = (
    "3c51efbb-071f-43a7-9f32-228b89668e8d", "5067d381-1dc9-4816-81dd-ae1dbfea2ad7",
    "56a79789-d535-4fb8-bedd-a915504c54ba", "fd960901-8191-4db1-a3dd-a91626d56c4b",
    "0a47de65-c207-4521-8a66-9a6d9ffa5f8d", "eca18d76-2b8b-4f26-bc1d-19eca19fb3f0",
    "8ca3a2c1-8b7a-41c3-a9dd-a8fb46caa645")
# a transcript as Windows tools save it: CRLF line ends, an emoji (two UTF-16 code units) before the passage
TEXT = "Interviewer: How did it go? \U0001F600\r\nParticipant 7: Protected time helped, honestly.\r\nEnd."
PASSAGE = "Protected time helped"


def units(text: str, counting: str) -> int:
    """Where PASSAGE starts, counted as the named tool counts."""
    before = text[:text.index(PASSAGE)]
    if counting == "nvivo":
        return len(before.encode("utf-16-le")) // 2
    if counting == "atlas":
        return len(before.replace("\r\n", "\n"))
    return len(before)


def qdpx(origin: str, counting: str, *, qde="project.qde", folder="Sources", bom=True, extra="", past=0,
         more_sources="") -> bytes:
    start = units(TEXT, counting)
    end = start + len(PASSAGE) + past
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Interviews" origin="{origin}">
  <Users><User guid="{USER}" name="Coder" /></Users>
  <CodeBook><Codes>
    <Code guid="{PARENT}" name="Barriers" isCodable="false">
      <Code guid="{CODE}" name="Protected time" isCodable="true" color="#46aa00"><NoteRef targetGUID="{NOTE}"/></Code>
    </Code>
    <Code guid="{SET.replace('eca1', 'aaa1')}" name="No colour given" isCodable="true" />
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="{SOURCE}" name="Interview 7" plainTextPath="internal://{SOURCE}.txt">
      <Description>Second interview, by video call</Description>
      <PlainTextSelection guid="{SELECTION}" startPosition="{start}" endPosition="{end}" creatingUser="{USER}">
        <Coding guid="aa960901-8191-4db1-a3dd-a91626d56c4b"><CodeRef targetGUID="{CODE}" /></Coding>
      </PlainTextSelection>
    </TextSource>
    <PictureSource guid="11111111-2222-4333-8444-555555555555" name="whiteboard" path="internal://w.jpg" />
    {more_sources}
  </Sources>
  <Notes>
    <Note guid="{NOTE}" name="Why this code" creatingUser="{USER}" creationDateTime="2025-02-21T15:09:07Z">
      <PlainTextContent>Time is the barrier everyone names first.</PlainTextContent>
    </Note>
  </Notes>
  {extra}
  <Sets><Set guid="{SET}" name="Barriers group"><Description>grouped in the tool</Description>
    <MemberCode targetGUID="{CODE}" /><MemberSource targetGUID="{SOURCE}" /></Set></Sets>
</Project>"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(qde, xml.encode())
        archive.writestr(f"{folder}/{SOURCE}.txt", (b"\xef\xbb\xbf" if bom else b"") + TEXT.encode())
        archive.writestr(f"{folder}/w.jpg", b"\xff\xd8 not really a picture")
    return buffer.getvalue()


def read(tmp_path, data: bytes, name="project.qdpx") -> Project:
    path = tmp_path / name
    path.write_bytes(data)
    return import_qdpx(path)


@pytest.mark.parametrize("origin, counting, qde, folder", [
    ("NVivo for Windows 12.6", "nvivo", "project.qde", "Sources"),
    ("NVivo 15", "nvivo", "Project.qde", "sources"),
    ("ATLAS.ti Win 23.4.0", "atlas", "Trial.qde", "sources"),
    ("MAXQDA 24 (Release 24.7.0)", "code points", "PROJECT.QDE", "SOURCES"),
    ("QualCoder 3.8.2", "code points", "project.qde", "sources"),
])
def test_the_highlight_is_the_text_the_coder_chose_whatever_the_tool(tmp_path, origin, counting, qde, folder):
    project = read(tmp_path, qdpx(origin, counting, qde=qde, folder=folder))
    (highlight,) = project.highlights
    assert project.text_of(highlight) == PASSAGE
    document = project.documents[SOURCE]
    assert not document.text.startswith("\ufeff") and "\r" not in document.text  # kept as the standard has it
    # the tools disagree: read in another tool's counting the same file would point elsewhere
    assert len({units(TEXT, c) for c in ("nvivo", "atlas", "code points")}) == 3


def test_without_a_byte_order_mark_the_positions_are_the_same(tmp_path):
    project = read(tmp_path, qdpx("NVivo 14", "nvivo", bom=False))
    assert project.text_of(project.highlights[0]) == PASSAGE


def test_notes_sets_iscodable_and_colours_are_kept_as_given(tmp_path):
    project = read(tmp_path, qdpx("NVivo 14", "nvivo"))
    codes = project.codebook.codes
    assert codes[CODE].color == "#46AA00" and codes[CODE].parent == PARENT
    assert codes[PARENT].codable is False and codes[CODE].codable is True
    assert [c.color for c in codes.values() if c.name == "No colour given"] == [None]  # none invented
    assert project.documents[SOURCE].memo == "Second interview, by video call"
    note = project.notes[NOTE]
    assert (note.text, note.coder, note.created, note.attached_to) == (
        "Time is the barrier everyone names first.", "Coder", "2025-02-21T15:09:07Z", (CODE,))
    (group,) = project.sets
    assert (group.id, group.name, group.codes, group.documents) == (SET, "Barriers group", (CODE,), (SOURCE,))
    assert project.skipped == ["1 PictureSources (only text sources are kept here)"]


def test_an_annotation_linked_to_a_selection_is_kept_on_it(tmp_path):
    link = (f'<Links><Link guid="22222222-3333-4444-8555-666666666666" originGUID="{NOTE}" '
            f'targetGUID="{SELECTION}" /></Links>')
    project = read(tmp_path, qdpx("NVivo for Windows 12.6", "nvivo", extra=link))
    assert project.notes[NOTE].attached_to == (CODE, SELECTION)


def test_a_note_or_transcript_kept_only_as_word_is_skipped_and_said(tmp_path):
    recording = ('<VideoSource guid="33333333-2222-4333-8444-555555555555" name="call" path="relative://call.mp4">'
                 '<Transcript guid="44444444-2222-4333-8444-555555555555" richTextPath="internal://t.docx"/>'
                 '<VideoSelection guid="55555555-2222-4333-8444-555555555555" begin="0" end="2000"/></VideoSource>')
    note = ('<Notes><Note guid="66666666-2222-4333-8444-555555555555" name="annotation" '
            'richTextPath="internal://n.docx" plainTextPath="internal://n.txt"/></Notes>')
    project = read(tmp_path, qdpx("NVivo 14", "nvivo", extra=note, more_sources=recording))
    assert project.skipped == ["1 PictureSources (only text sources are kept here)",
                               "1 notes with no plain text in the file",
                               "1 transcripts with no plain text in the file",
                               "1 video selections (recordings are not kept here)"]
    assert project.text_of(project.highlights[0]) == PASSAGE and set(project.notes) == {NOTE}


def round_trip(tmp_path, project: Project) -> Project:
    return import_qdpx(export_qdpx(project, tmp_path / "again.qdpx"))


def same(a: Project, b: Project) -> None:
    """Identical codes, highlighted TEXT, notes and sets (compared as text, not offsets alone)."""
    codes = lambda p: {c.id: (c.name, c.description, c.color, c.parent, c.codable)  # noqa: E731
                       for c in p.codebook.codes.values()}
    assert codes(a) == codes(b)
    text = lambda p: sorted((h.id, p.documents[h.document].name, p.text_of(h), h.codes, h.coder, h.memo)  # noqa: E731
                            for h in p.highlights)
    assert text(a) == text(b)
    assert {n.id: (n.text, n.attached_to) for n in a.notes.values()} == \
        {n.id: (n.text, n.attached_to) for n in b.notes.values()}
    assert {(s.id, s.name, s.codes, s.documents) for s in a.sets} == {(s.id, s.name, s.codes, s.documents)
                                                                     for s in b.sets}


@pytest.mark.parametrize("origin, counting", [("NVivo for Windows 12.6", "nvivo"), ("ATLAS.ti 8", "atlas")])
def test_import_export_import_gives_identical_codes_and_highlighted_text(tmp_path, origin, counting):
    first = read(tmp_path, qdpx(origin, counting, qde="Project.qde"))
    data = project_xml(first)
    validate_project_xml(data)
    assert b'color="#46AA00"' in data and b'isCodable="false"' in data and b"<NoteRef" in data
    again = round_trip(tmp_path, first)
    same(first, again)
    assert again.origin == "NMAHP Pathways" and again.documents[SOURCE].memo == first.documents[SOURCE].memo
    with zipfile.ZipFile(tmp_path / "again.qdpx") as archive:
        assert sorted(archive.namelist()) == ["project.qde", f"sources/{SOURCE}.txt"]
        assert archive.read(f"sources/{SOURCE}.txt") == first.documents[SOURCE].text.encode()  # no BOM


def test_two_qde_files_and_no_project_qde_are_refused_by_name(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.qde", "<Project/>")
        archive.writestr("b.qde", "<Project/>")
    with pytest.raises(NmahpError, match="2 .qde files and none is project.qde"):
        read(tmp_path, buffer.getvalue(), "two.qdpx")


def test_a_selection_past_the_end_in_the_tools_counting_is_refused(tmp_path):
    inside = len(TEXT.encode("utf-16-le")) // 2 - units(TEXT, "nvivo") - len(PASSAGE)  # up to the last unit
    assert read(tmp_path, qdpx("NVivo 14", "nvivo", past=inside)).highlights[0].end == len(TEXT) - 2  # CRLF, emoji
    with pytest.raises(NmahpError, match="lies outside source 'Interview 7'"):
        read(tmp_path, qdpx("NVivo 14", "nvivo", past=inside + 1))


def test_a_transcripts_times_go_out_as_sync_points_and_come_back(tmp_path):
    from nmahp.qualitative.documents import Turn, transcript

    document = transcript("Interview 9", [Turn("Interviewer", "What helped?", 1000, 4000),
                                          Turn("P9", "A mentor & time.", 4500, 9000)], "9")
    project = Project("timed")
    project.add_document(document)
    code = project.codebook.add("Mentoring")
    project.highlight(document, document.segments[1].start, document.segments[1].end, [code])
    data = project_xml(project)
    assert b"<AudioSource" in data and b'timeStamp="4500"' in data and b"<TranscriptSelection" in data
    again = round_trip(tmp_path, project)
    copy = again.documents[document.id]
    assert [(s.speaker, s.participant, s.begin_ms, s.end_ms, copy.text[s.start:s.end]) for s in copy.segments] == \
        [("Interviewer", "9", 1000, 4000, "What helped?"), ("P9", "9", 4500, 9000, "A mentor & time.")]
    assert copy.kind == "transcript" and len(again.documents) == 1  # the transcript rides on the text source
    same(project, again)


# --- real codebooks other tools wrote ---------------------------------------------------------------------------
@pytest.mark.conformance
def test_atlasti_codebook_with_a_code_group(tmp_path, conformance):
    path = EXTERNAL / "atlasti-23.4-codebook.qdc"
    book = read_qdc(path)
    (code,) = book.codebook.codes.values()
    (group,) = book.sets
    assert (book.origin, code.name, code.color, code.description) == ("ATLAS.ti Win 23.4.0", "code1", "#46AA00",
                                                                      "description")
    assert (group.name, group.description, group.codes) == ("code group 1", "kategorie 1", (code.id,))
    again = read_qdc(export_qdc(book.codebook, tmp_path / "again.qdc", book.sets))
    same(book, again)
    conformance(path, "ATLAS.ti Win 23.4.0", "REFI-QDA codebook (.qdc)",
                f"read {len(book.codebook.codes)} code (colour kept) and {len(book.sets)} code group as a set "
                "(members given as guid, not the schema's targetGUID); exported and read again: identical")


@pytest.mark.conformance
def test_taguette_codebook_without_colours(tmp_path, conformance):
    path = EXTERNAL / "taguette" / "codebook.qdc"
    book = read_qdc(path)
    assert sorted(c.name for c in book.codebook.codes.values()) == ["interesting", "interesting.places", "people"]
    assert {c.color for c in book.codebook.codes.values()} == {None}  # Taguette has no colours; none invented
    again = read_qdc(export_qdc(book.codebook, tmp_path / "again.qdc"))
    same(book, again)
    assert b"color=" not in (tmp_path / "again.qdc").read_bytes()
    conformance(path, "Taguette", "REFI-QDA codebook (.qdc)",
                f"read {len(book.codebook.codes)} codes with no colour (none invented) and an empty Sets "
                "element the schema does not allow; exported and read again: identical")


@pytest.mark.conformance
def test_taguette_csv_codebook_and_highlights(conformance):
    codebook = EXTERNAL / "taguette" / "codebook.csv"
    highlights = EXTERNAL / "taguette" / "highlights-interesting.csv"
    project = Project("from taguette")
    project.add_document(from_text("different content", "otherdoc", "1"))  # the document Taguette's test coded
    project.codebook = import_codebook(codebook.read_text(encoding="utf-8"))
    codes = {c.name: c for c in project.codebook.codes.values()}
    assert codes["interesting"].description == "Further review required"
    assert codes["interesting.places"].parent is None  # its parent column is empty: the dot is part of the name
    placed = import_highlights(highlights.read_text(encoding="utf-8"), project)
    assert [(project.text_of(h), project.codebook.codes[h.codes[0]].name) for h in placed] == \
        [("diff", "interesting.places"), ("tent", "interesting"), ("tent", "people")]
    conformance(codebook, "Taguette", "codebook export (CSV)",
                f"read {len(codes)} codes with descriptions; hierarchy from the parent column")
    conformance(highlights, "Taguette", "highlights export (CSV)",
                f"placed {len(placed)} of 3 highlights on the text Taguette showed")


# --- through the application layer: what was added, merged and skipped, and why ---------------------------------
@pytest.mark.django_db
def test_the_import_summary_counts_what_was_added_merged_and_skipped(tmp_path):
    from nmahp.app import coding
    from nmahp.web.coding.models import CodeItem, CodingNote
    from nmahp.web.coding.models import CodeSet as StoredSet

    project = coding_project_with_history("summary")
    CodeItem.objects.create(project=project, name="Barriers", color="#123456")  # same name, same place: merged
    path = tmp_path / "nvivo.qdpx"
    path.write_bytes(qdpx("NVivo for Windows 12.6", "nvivo"))
    summary = coding.import_refi(project, path)
    assert (summary["codes"], summary["codes_merged"], summary["documents"], summary["highlights"],
            summary["notes"], summary["sets"]) == (2, 1, 1, 1, 1, 1)
    assert summary["skipped"] == ["1 PictureSources (only text sources are kept here)"]
    said = coding.describe_import(summary)
    assert said.startswith("imported 2 codes, 1 documents and 1 highlights from NVivo for Windows 12.6")
    assert "1 codes merged with codes already here" in said and "skipped: 1 PictureSources" in said
    stored = coding.load(project)
    same_code = stored.codebook.codes[CODE]
    assert (same_code.color, same_code.codable) == ("#46AA00", True)
    assert [c.color for c in stored.codebook.codes.values() if c.name == "No colour given"] == [None]
    assert stored.text_of(next(h for h in stored.highlights if h.id == SELECTION)) == PASSAGE
    assert CodingNote.objects.get(guid=NOTE).attached_to == [CODE]
    assert list(StoredSet.objects.get(guid=SET).codes.values_list("guid", flat=True)) == [CODE]
    again = coding.import_refi(project, path)
    assert (again["codes"], again["documents"], again["highlights"], again["notes"]) == (0, 0, 0, 0)
    assert "1 highlights already here" in again["skipped"] and "1 documents already here" in again["skipped"]
    exported = tmp_path / "out.qdpx"
    exported.write_bytes(coding.export(project, "qdpx"))
    back = import_qdpx(exported)
    assert back.notes[NOTE].attached_to == (CODE,) and {s.id for s in back.sets} == {SET}
    assert back.text_of(next(h for h in back.highlights if h.id == SELECTION)) == PASSAGE

