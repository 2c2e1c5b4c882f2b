"""A lead's overview of their own organisation: who there is interested in research or teaching careers, in
which roles and contracts, what holds them back, and how many agreed to be contacted, beside the same for
their region. An organisation's respondents are those who answered through its collector links (within the
lead's region: a lead never sees past it).

Every table is the dashboards' own (nmahp.app.dashboards: the same scope, snapshot, cache and disclosure by
role), narrowed to the organisation's links; outside the analyst role each goes through the disclosure policy,
and a scope of fewer than the threshold shows nothing but that."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

import polars as pl

from ..analysis.counts import option_counts, table_from_counts
from ..analysis.disclosure import apply
from ..analysis.tables import Table
from ..errors import NmahpError
from . import dashboards, ready, snapshots

# what the study found leads lack (5.2.7.1): who is interested, in what, what holds them back, who will talk
TABLES = ("research_interest", "teaching_interest", "roles_of_interest", "role_contract_interest", "top_barriers")
CONSENT = "contact_consent"
YES = "yes"


@dataclass
class Side:
    """One scope (the organisation, or the region) as this role may see it."""

    label: str
    scope: dashboards.Scope
    tables: dict[str, Table | None]
    consent: Table | None

    @property
    def respondents(self) -> int | None:
        return self.scope.respondents

    @property
    def note(self) -> str | None:
        return self.scope.note

    @property
    def agreed(self):
        """The 'yes' cell of the contact question (None when it is not asked or nothing is shown)."""
        if self.consent is None:
            return None
        return next((c for c in self.consent.cells if c.option == YES), None)


@dataclass
class Overview:
    wave: object
    organisation: object
    ours: Side
    region: Side

    def table_ids(self) -> list[str]:
        return [t for t in TABLES if self.ours.tables.get(t) is not None or self.region.tables.get(t) is not None]


def organisation_of(user):
    """The organisation a lead leads for (None when none is set)."""
    ready()
    from ..web.programme.models import OrganisationLead

    link = OrganisationLead.objects.select_related("organisation").filter(user=user).first()
    return link.organisation if link else None


def narrowed(s: dashboards.Scope, organisation) -> dashboards.Scope:
    """`s` narrowed to the responses that came through the organisation's collector links. The links' responses
    are part of the scope's identity, so a link given to the organisation later is never served an old result."""
    from ..web.surveys.models import Response

    ids = sorted(Response.objects.filter(wave=s.wave, status=Response.COMPLETE,
                                         collector__organisation_link__organisation=organisation)
                 .values_list("pk", flat=True))
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]
    conditions = [*s.conditions, pl.col(snapshots.RESPONSE).is_in(ids)]
    applied = {**s.applied, "organisation": f"{organisation.pk}:{digest}"}
    size = s.snapshot.count(conditions)
    return dataclasses.replace(s, conditions=conditions, applied=applied, size=size)


def _consent(s: dashboards.Scope) -> Table | None:
    """How many agreed to be contacted: the contact question counted as any table is, under the same policy."""
    question = s.instrument.questions.get(CONSENT)
    if question is None or CONSENT not in s.columns or not s.shown:
        return None

    def compute():
        return apply(table_from_counts(question, *option_counts(s.read([CONSENT]), question)), s.disclosure)

    return s.cached("contact consent", None, compute)


def _side(label: str, s: dashboards.Scope) -> Side:
    tables = {}
    for table_id in TABLES:
        found = dashboards.table_with_breakdown(s, table_id, dashboards.DEFAULT_BY)
        tables[table_id] = found[0] if found else None
    return Side(label, s, tables, _consent(s))


def overview(wave, organisation, *, role: str | None, region: str = "") -> Overview:
    """The organisation's overview in `wave` beside its region, as `role` may see them. A lead's region is
    their own (`region`); anyone else's is the organisation's."""
    from ..web.accounts.models import LEAD

    if role == LEAD:
        if not region:
            raise NmahpError("this lead has no region: an admin gives a lead their region first")
        whole = dashboards.scope(wave, role=role, region=region, query={})
    else:
        whole = dashboards.scope(wave, role=role, query={"region": organisation.region})
    ours = narrowed(whole, organisation)
    return Overview(wave, organisation, _side(organisation.name, ours), _side("Your region", whole))


def as_dict(view: Overview) -> dict:
    def side(s: Side) -> dict:
        agreed = s.agreed
        return {"label": s.label, "respondents": s.respondents, "note": s.note,
                "agreed_to_contact": None if agreed is None else {"count": agreed.count, "percent": agreed.percent,
                                                                  "suppressed": agreed.suppressed},
                "tables": {k: (t.to_dict() if t is not None else None) for k, t in s.tables.items()}}

    return {"wave": {"id": view.wave.pk, "name": view.wave.name, "instrument": view.wave.instrument},
            "organisation": {"name": view.organisation.name, "region": view.organisation.region},
            "disclosure": "exact" if view.ours.scope.disclosure.exact else "published",
            "organisation_scope": side(view.ours), "region_scope": side(view.region)}
