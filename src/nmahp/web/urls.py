from django.contrib import admin
from django.urls import path, re_path

from .accounts import views as accounts
from .careers import feeds as career_feeds
from .careers import views as careers
from .coding import views as coding
from .mentoring import views as mentoring
from .surveys import dashboard_views as dashboards
from .surveys import survey_views as survey
from .surveys import views


def page_and_twin(route: str, view, name: str, twin: str | None = None):
    """A page and its JSON twin over one view (Datasette style): /x/ and /x.json."""
    return [path(route, view, name=name),
            path(twin or route.rstrip("/") + ".json", view, {"as_json": True}, name=f"{name}-json")]


urlpatterns = [
    path("", views.landing, name="landing"),
    path("index.json", views.landing, {"as_json": True}, name="landing-json"),
    path("survey/<str:token>/", survey.start, name="survey-start"),
    path("respond/<str:key>/", survey.resume, name="survey-resume"),
    path("respond/<str:key>/check/", survey.check, name="survey-check"),
    path("respond/<str:key>/done/", survey.done, name="survey-done"),
    path("respond/<str:key>/<slug:page>/", survey.page, name="survey-page"),
    path("sign-in/", accounts.sign_in, name="sign-in"),
    path("sign-in/code/", accounts.sign_in_code, name="sign-in-code"),
    path("sign-out/", accounts.sign_out, name="sign-out"),
    path("dashboard/", dashboards.dashboard, name="dashboard"),
    path("dashboard/wave/<int:wave_id>/", dashboards.wave_tables, name="dashboard-wave"),
    path("dashboard/wave/<int:wave_id>/tables/<slug:table_id>.json", dashboards.table_json,
         name="dashboard-table-json"),
    path("dashboard/wave/<int:wave_id>/tables/<slug:table_id>/", dashboards.table_page, name="dashboard-table"),
    re_path(r"^dashboard/wave/(?P<wave_id>\d+)/download\.(?P<fmt>csv|xlsx)$", dashboards.download, name="download"),
    path("dashboard/wave/<int:wave_id>/contacts/", dashboards.contacts, name="contacts"),
    path("mentoring/join/", mentoring.join, name="mentoring-join"),
    path("mentoring/me/<str:key>/", mentoring.me, name="mentoring-me"),
    path("mentoring/mentor/", mentoring.mentor, name="mentoring-mentor"),
    path("mentoring/mentor/decline/<int:match_id>/", mentoring.mentor_decline, name="mentoring-mentor-decline"),
    path("mentoring/rounds/", mentoring.rounds, name="mentoring-rounds"),
    path("mentoring/rounds/<int:round_id>/", mentoring.round_detail, name="mentoring-round"),
    path("coding/", coding.index, name="coding"),
    path("coding/<int:project_id>/", coding.project_page, name="coding-project"),
    path("coding/<int:project_id>/themes.json", coding.themes_json, name="coding-themes-json"),
    path("coding/<int:project_id>/doc/<int:document_id>/", coding.document_page, name="coding-document"),
    re_path(r"^coding/(?P<project_id>\d+)/export\.(?P<fmt>qdpx|qdc)$", coding.export, name="coding-export"),
    path("coding/<int:project_id>/import/", coding.import_project, name="coding-import"),
    path("coding/<int:project_id>/suggestions/", coding.suggestions, name="coding-suggestions"),
    *page_and_twin("careers/", careers.index, "careers", twin="careers/index.json"),
    *page_and_twin("careers/schemes/", careers.schemes, "careers-schemes"),
    *page_and_twin("careers/schemes/<slug:scheme_id>/", careers.scheme, "careers-scheme"),
    *page_and_twin("careers/glossary/", careers.glossary, "careers-glossary"),
    *page_and_twin("careers/pathway/", careers.pathway, "careers-pathway"),
    *page_and_twin("careers/check/", careers.checker, "careers-check"),
    *page_and_twin("careers/start-small/", careers.start_small, "careers-start-small"),
    *page_and_twin("careers/employment/", careers.employment, "careers-employment"),
    *page_and_twin("careers/stories/", careers.stories, "careers-stories"),
    *page_and_twin("careers/opportunities/", careers.opportunities, "careers-opportunities"),
    path("careers/opportunities/feed.atom", career_feeds.OpportunityFeed(), name="careers-atom"),
    path("careers/opportunities/feed.rss", career_feeds.OpportunityRss(), name="careers-rss"),
    path("careers/opportunities/deadlines.ics", career_feeds.deadlines_ics, name="careers-ics"),
    path("admin/", admin.site.urls),
]
