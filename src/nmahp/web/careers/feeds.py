"""Subscriptions to the opportunities board: Atom and RSS feeds and an iCalendar of closing dates, each
honouring the same filters as the board's page."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from icalendar import Calendar, Event

from nmahp.app.opportunities import opportunities_for

from .views import opportunity_filter


def _filters(request) -> dict:
    f, problems = opportunity_filter(request)
    if problems:
        raise BadRequest("; ".join(problems.values()))
    return f


class OpportunityFeed(Feed):
    feed_type = Atom1Feed
    title = "NMAHP Pathways: research and teaching opportunities"
    link = "/careers/opportunities/"
    description = "Jobs, secondments, internships and workshops for nurses, midwives and allied health professionals."

    def get_object(self, request, *args, **kwargs):
        return _filters(request)

    def items(self, f):
        return opportunities_for(f)[:200]

    def item_title(self, item):
        return f"{item.title} ({item.get_kind_display()}, closes {item.closes_on:%-d %B %Y})"

    def item_description(self, item):
        return f"{item.organisation}. {item.summary}"

    def item_link(self, item):
        return item.url

    def item_guid(self, item):
        return f"nmahp-opportunity-{item.id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.posted

    def item_updateddate(self, item):
        return item.updated


class OpportunityRss(OpportunityFeed):
    feed_type = Rss201rev2Feed


def deadlines_ics(request):
    """One all-day event per closing date (and per workshop day), so deadlines land in a calendar."""
    cal = Calendar()
    cal.add("prodid", "-//NMAHP Pathways//opportunities//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "NMAHP opportunities: closing dates")
    stamp = timezone.now()
    for item in opportunities_for(_filters(request)):
        days = [("closes", f"Closing date: {item.title}", item.closes_on)]
        if item.starts_on:
            days.append(("runs", f"{item.get_kind_display()}: {item.title}", item.starts_on))
        for key, summary, day in days:
            event = Event()
            event.add("uid", f"opportunity-{item.id}-{key}@nmahp-pathways")
            event.add("dtstamp", stamp)
            event.add("summary", summary)
            event.add("dtstart", day)
            event.add("dtend", day + dt.timedelta(days=1))
            event.add("description", f"{item.organisation}. {item.summary}")
            event.add("url", item.url)
            cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="nmahp-opportunities.ics"'
    return response
