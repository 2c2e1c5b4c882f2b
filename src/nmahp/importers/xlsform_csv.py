"""XLSForm-shaped CSV as ODK Central and KoboToolbox export it: one header row of question names
(bare, or with their groups as `group/name` or `group-name`), select_multiple as space-separated
choice names or as one 0/1 column per choice (`question/choice`)."""

from __future__ import annotations

import re

from ..instruments import Instrument
from .mapping import Column, Target

# submission metadata the two services add; none of it is an answer
META = {
    "key": "respondent_id", "instanceid": "respondent_id", "meta/instanceid": "respondent_id",
    "meta-instanceid": "respondent_id", "_uuid": "respondent_id", "respondent_key": "respondent_id",
    "end": "end_date", "submissiondate": "end_date", "_submission_time": "end_date",
    "start": "start_date", "reviewstate": "review_state", "_validation_status": "review_state",
}
IGNORED = {"_id", "_index", "__version__", "_version_", "_status", "_submitted_by", "_tags", "_notes",
           "_attachments", "_geolocation", "today", "deviceid", "submitterid", "submittername",
           "attachmentspresent", "attachmentsexpected", "status", "edits", "formversion", "meta/deprecatedid",
           "meta/instancename", "instancename", "meta-instancename", "_parent_index"}


def columns(rows: list[list[str]]) -> tuple[list[Column], int]:
    return [Column(i, h) for i, h in enumerate(rows[0])], 1


def auto_target(column: Column, instrument: Instrument) -> Target | None:
    raw = column.header.strip()
    key = raw.casefold()
    if key in META:
        return Target("meta", meta=META[key])
    if key in IGNORED or key.startswith("_"):
        return Target("ignore")
    parts = [p for p in re.split(r"[/]", raw) if p]
    # `group/question`, `group/question/choice`, ODK Central's `group-question`
    for i in range(len(parts)):
        name = parts[i]
        if name in instrument.questions:
            rest = parts[i + 1:]
            if not rest:
                return Target("value", name)
            if len(rest) == 1 and rest[0] in instrument.questions[name].choice_names():
                return Target("tick", name, rest[0])
    dashed = raw.split("-")
    for i in range(len(dashed)):
        name = "-".join(dashed[i:])
        if name in instrument.questions:
            return Target("value", name)
    return None
