"""Hostile REFI-QDA files: .qdpx archives with mangled project.qde XML, bad sources and zip bombs built
small. Shared by the hypothesis test of the reader (tests/qualitative/test_hostile_qdpx.py) and the
upload test of the coding page (tests/web/test_hostile_uploads.py)."""

from __future__ import annotations

import io
import struct
import uuid
import zipfile
from xml.sax.saxutils import escape, quoteattr

from hypothesis import strategies as st

NS = "urn:QDA-XML:project:1.0"
TEXT = "Protected time helped. My manager did not support research. Luck mattered most."


def guid() -> str:
    return str(uuid.uuid4())


def archive(members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    return buffer.getvalue()


def attr(name: str, value: str | None) -> str:
    return "" if value is None else f" {name}={quoteattr(value)}"


def project_qde(*, users: str = "", codes: str = "", sources: str = "", name: str = "hostile") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{NS}" name={quoteattr(name)}>'
            f"{users}<CodeBook><Codes>{codes}</Codes></CodeBook><Sources>{sources}</Sources></Project>").encode()


def code_xml(name: str | None, guid_value: str | None, colour: str | None = None, children: str = "") -> str:
    return f'<Code{attr("guid", guid_value)}{attr("name", name)} isCodable="true"{attr("color", colour)}>{children}</Code>'


def selection_xml(guid_value: str | None, start: str | None, end: str | None, code_refs: list[str | None],
                  user: str | None = None) -> str:
    # derived, not random: hypothesis needs the same draws to build the same bytes (sizes bound later draws)
    refs = "".join(f'<Coding guid="{uuid.uuid5(uuid.NAMESPACE_OID, f"{guid_value}:{i}:{c}")}">'
                   f'<CodeRef{attr("targetGUID", c)}/></Coding>' for i, c in enumerate(code_refs))
    return (f'<PlainTextSelection{attr("guid", guid_value)}{attr("startPosition", start)}'
            f'{attr("endPosition", end)}{attr("creatingUser", user)}>{refs}</PlainTextSelection>')


def source_xml(guid_value: str | None, name: str | None, selections: str, *, inline: str | None = None,
               path: str | None = None) -> str:
    content = "" if inline is None else f"<PlainTextContent>{inline}</PlainTextContent>"
    return (f'<TextSource{attr("guid", guid_value)}{attr("name", name)}{attr("plainTextPath", path)}>'
            f"{content}{selections}</TextSource>")


def valid_qdpx() -> bytes:
    code, source = guid(), guid()
    selections = selection_xml(guid(), "0", "22", [code])
    return archive({"project.qde": project_qde(codes=code_xml("Time", code, "#005EB8"),
                                               sources=source_xml(source, "interview", selections,
                                                                  path=f"internal://{source}.txt")),
                    f"Sources/{source}.txt": TEXT.encode()})


def lying_sizes(data: bytes, declared: int) -> bytes:
    """Rewrite every uncompressed size an archive declares (local headers and central directory)."""
    out = bytearray(data)
    position = 0
    while (position := out.find(b"PK\x03\x04", position)) >= 0:
        struct.pack_into("<I", out, position + 22, declared)
        position += 4
    position = 0
    while (position := out.find(b"PK\x01\x02", position)) >= 0:
        struct.pack_into("<I", out, position + 24, declared)
        position += 4
    return bytes(out)


def zip_bomb(size: int) -> bytes:
    """A member of `size` zero bytes, which deflates to about a thousandth of that."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("project.qde", project_qde())
        with zipped.open("Sources/bomb.txt", "w", force_zip64=True) as handle:
            chunk = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                handle.write(chunk)
    return buffer.getvalue()


# --- the named hostile files the upload and CLI tests use --------------------------------------------------
def named_cases() -> dict[str, bytes]:
    code, source = guid(), guid()
    ok_source = f"internal://{source}.txt"

    def one(selections: str = "", codes: str | None = None, text: bytes = TEXT.encode(), **source_kw) -> bytes:
        return archive({"project.qde": project_qde(
            codes=code_xml("Time", code, "#005EB8") if codes is None else codes,
            sources=source_xml(source_kw.pop("source_guid", source), "interview", selections, path=ok_source,
                               **source_kw)),
            f"Sources/{source}.txt": text})

    return {
        "not-a-zip.qdpx": b"PK\x03\x04 this is not a zip at all",
        "no-project.qdpx": archive({"readme.txt": b"hello"}),
        "not-xml.qdpx": archive({"project.qde": b"<Project"}),
        "bad-int.qdpx": one(selection_xml(guid(), "ten", "22", [code])),
        "negative.qdpx": one(selection_xml(guid(), "-1", "22", [code])),
        "out-of-range.qdpx": one(selection_xml(guid(), "0", "99999", [code])),
        "reversed.qdpx": one(selection_xml(guid(), "20", "3", [code])),
        "bad-utf8.qdpx": one(text=b"caf\xe9 \xff\xfe"),
        "nul-in-text.qdpx": one(text=b"text\x00with a NUL"),
        "missing-guid.qdpx": one(codes=code_xml("Time", None)),
        "long-guid.qdpx": one(codes=code_xml("Time", "a" * 300)),
        "not-a-uuid.qdpx": one(codes=code_xml("Time", "not-a-guid")),
        "bad-colour.qdpx": one(codes=code_xml("Time", code, "red")),
        "long-name.qdpx": one(codes=code_xml("x" * 300, code)),
        "duplicate-guids.qdpx": one(codes=code_xml("A", code, children=code_xml("B", code))),
        "deep.qdpx": one(codes=_deep(150)),
        "doctype.qdpx": archive({"project.qde": b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa">'
                                                b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                                                b'<Project xmlns="urn:QDA-XML:project:1.0" name="&b;"/>'}),
        "missing-source.qdpx": archive({"project.qde": project_qde(sources=source_xml(guid(), "gone", "",
                                                                                      path="internal://gone.txt"))}),
        "bomb.qdpx": zip_bomb(80 << 20),
        "lying-sizes.qdpx": lying_sizes(archive({"project.qde": project_qde(), "Sources/a.txt": b"a" * 200_000}),
                                        10),
    }


def _deep(depth: int) -> str:
    inner = ""
    for level in range(depth):
        # derived GUIDs: the hypothesis strategy nests these too, and must build the same bytes each time
        inner = code_xml(f"level {level}", str(uuid.uuid5(uuid.NAMESPACE_OID, f"deep:{level}")), None, inner)
    return inner


# --- hypothesis: a project.qde built from parts, each of which may be mangled -------------------------------
XML_TEXT = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn"))  # what XML can hold
GOOD_GUID = st.uuids().map(str)
HOSTILE_GUID = st.one_of(
    *[GOOD_GUID] * 12, GOOD_GUID.map(str.upper), GOOD_GUID.map(lambda g: "{" + g + "}"), st.none(), st.just(""),
    st.just("a" * 300), st.text(XML_TEXT, max_size=40), st.just("{" + "0" * 8 + "-0000-0000-0000-" + "0" * 12))
COLOUR = st.one_of(st.none(), st.just("#005EB8"), st.just("#abc"), st.just("#00ff7f"), st.just("red"),
                   st.just("#GGGGGG"), st.just("#12345678"), st.text(XML_TEXT, max_size=10))
POSITION = st.one_of(*[st.integers(0, 90).map(str)] * 6, st.integers(-5, 200).map(str), st.just("1.5"),
                     st.just(" 3"), st.just(""), st.none(), st.just("9" * 30), st.text(XML_TEXT, max_size=6))
NAME = st.one_of(*[st.text(XML_TEXT, min_size=1, max_size=30)] * 6, st.just(""), st.none(), st.just("n" * 250),
                 st.just(" \t "), st.text(max_size=10))
# the same parts with nothing wrong, so that a good share of archives are valid projects to check
CLEAN = {"guid": GOOD_GUID, "colour": st.sampled_from([None, "#005EB8", "#abc", "#00ff7f"]),
         "position": st.integers(0, len(TEXT)).map(str), "name": st.text(XML_TEXT, min_size=1, max_size=30)
         .filter(str.strip), "text": st.just(TEXT.encode())}
HOSTILE = {"guid": HOSTILE_GUID, "colour": COLOUR, "position": POSITION, "name": NAME, "text": None}
TEXT_BYTES = st.one_of(*[st.just(TEXT.encode())] * 3, st.text(max_size=200).map(str.encode),
                       st.binary(max_size=200), st.just(b"caf\xe9"), st.just(b"nul\x00here"))


@st.composite
def codes(draw, parts, depth=0, pool=None):
    pool = [] if pool is None else pool
    out = ""
    for _ in range(draw(st.integers(0, 3 if depth < 3 else 0))):
        # reuse a guid already drawn sometimes: a code nested under its own guid is a cycle attempt
        value = draw(st.sampled_from(pool)) if pool and draw(st.integers(0, 8)) == 0 else draw(parts["guid"])
        pool.append(value)
        children = draw(codes(parts, depth + 1, pool))
        out += code_xml(draw(parts["name"]), value, draw(parts["colour"]), children)
    return out


@st.composite
def hostile_qdpx(draw) -> bytes:
    parts = CLEAN if draw(st.integers(0, 2)) == 0 else HOSTILE  # a third are clean before any mangling
    text_bytes = TEXT_BYTES if parts["text"] is None else parts["text"]
    pool: list = []
    code_part = draw(codes(parts, pool=pool))
    if draw(st.integers(0, 5)) == 0:
        code_part += _deep(draw(st.integers(90, 260)))
    users, user_ids = "", []
    for _ in range(draw(st.integers(0, 2))):
        user = draw(parts["guid"])
        user_ids.append(user)
        users += f'<User{attr("guid", user)}{attr("name", draw(parts["name"]))}/>'
    users = f"<Users>{users}</Users>" if users else ""
    members, sources = {}, ""
    for _ in range(draw(st.integers(0, 3))):
        source = draw(parts["guid"])
        selections = "".join(
            selection_xml(draw(parts["guid"]), *sorted(draw(st.lists(parts["position"], min_size=2, max_size=2)),
                                                       key=lambda p: (p is None, len(p or ""), p or "")),
                          draw(st.lists(st.one_of(st.sampled_from(pool), parts["guid"]) if pool else parts["guid"],
                                        max_size=3)),
                          draw(st.sampled_from(user_ids)) if user_ids and draw(st.booleans()) else None)
            for _ in range(draw(st.integers(0, 4))))
        if draw(st.booleans()):
            inline = draw(st.one_of(st.just(TEXT), st.text(XML_TEXT, max_size=80)) if parts is HOSTILE
                          else st.just(TEXT))
            sources += source_xml(source, draw(parts["name"]), selections, inline=escape(inline))
        else:
            member = draw(st.one_of(st.just(f"{source}.txt"), st.text(max_size=20)) if parts is HOSTILE
                          else st.just(f"{source}.txt"))
            sources += source_xml(source, draw(parts["name"]), selections, path=f"internal://{member}")
            if parts is CLEAN or draw(st.integers(0, 4)):
                members[f"Sources/{member}"] = draw(text_bytes)
    xml = project_qde(users=users, codes=code_part, sources=sources, name=draw(st.text(XML_TEXT, max_size=20)))
    mangle = draw(st.sampled_from(["none"] * 12 + ["truncate", "flip", "doctype", "not-project"]))
    if mangle == "truncate":
        xml = xml[:draw(st.integers(0, len(xml)))]
    elif mangle == "flip":
        at = draw(st.integers(0, len(xml) - 1))
        xml = xml[:at] + bytes([draw(st.integers(0, 255))]) + xml[at + 1:]
    elif mangle == "doctype":
        xml = xml.replace(b"?>\n", b'?>\n<!DOCTYPE Project [<!ENTITY e "x">]>\n', 1)
    elif mangle == "not-project":
        xml = xml.replace(b"<Project ", b"<Projekt ", 1).replace(b"</Project>", b"</Projekt>")
    members = {"project.qde": xml, **members}
    data = archive(members, compression=draw(st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])))
    wrap = draw(st.sampled_from(["none"] * 12 + ["truncate-zip", "lying-sizes", "bomb"]))
    if wrap == "truncate-zip":
        data = data[:draw(st.integers(0, len(data)))]
    elif wrap == "lying-sizes":
        data = lying_sizes(data, draw(st.sampled_from([0, 1, 10, 2**32 - 1])))
    elif wrap == "bomb":  # over the lowered limits the test sets (member 1 MB, total 2 MB)
        data = zip_bomb(draw(st.sampled_from([2, 3])) << 20)
    return data


def coding_project_with_history(name: str):
    """A wave's coding project that already holds a document and a code, so a refused import can be seen
    to leave them as they were (needs the database)."""
    from nmahp.app.coding import save_document
    from nmahp.qualitative import Document
    from nmahp.web.coding.models import CodeItem, CodingProject
    from nmahp.web.surveys.models import Wave

    wave = Wave.objects.create(instrument="nmahp_survey", name=name, form_version="1")
    made = CodingProject.objects.create(wave=wave, name=name)
    save_document(made, Document("existing", "Some earlier open text that is already coded."))
    CodeItem.objects.create(project=made, name="Existing code")
    return made
