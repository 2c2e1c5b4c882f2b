"""The opportunities board's one query: the board, its feeds and the e-mail alerts all ask it, so a filter
means the same wherever it is applied."""

from __future__ import annotations

import datetime as dt

from . import ready


def opportunities_for(f: dict) -> list:
    """Published opportunities matching the board's filters (kind, region, stage, group; `closed` to include
    those whose closing date has passed), soonest closing first. An opportunity with no region is open to
    every region, and one with no `open_to` to every professional group."""
    ready()
    from ..web.careers.models import Opportunity

    found = Opportunity.objects.filter(published=True)
    if not f["closed"]:
        found = found.filter(closes_on__gte=dt.date.today())
    if f["kind"]:
        found = found.filter(kind=f["kind"])
    if f["region"]:
        found = found.filter(region__in=[f["region"], ""])
    if f["stage"]:
        found = found.filter(stage=f["stage"])
    out = list(found.order_by("closes_on", "title"))
    if f["group"]:
        out = [o for o in out if not o.open_to or f["group"] in o.open_to]
    return out
