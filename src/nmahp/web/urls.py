from django.contrib import admin
from django.urls import path, re_path

from .accounts import views as accounts
from .careers import feeds as career_feeds
from .careers import views as careers
from .coding import frames as coding_frames
from .coding import urls as coding_urls
from .coding import views as coding
from .jobs import views as jobs
from .mentoring import views as mentoring
from .outreach import urls as outreach_urls
from .pages import page_and_twin
from .programme import views as programme
from .surveys import compare_views, crosstab_views, views
from .surveys import dashboard_views as dashboards
from .surveys import import_views as imports
from .surveys import survey_views as survey

# Every page has a JSON twin (/x/ and /x.json) over the same view; what has none is listed, with the
# reason, in tests/web/test_json_twins.py.
urlpatterns = [
    *page_and_twin("", views.landing, "landing"),
    *page_and_twin("survey/<str:token>/", survey.start, "survey-start"),
    *page_and_twin("respond/<str:key>/", survey.resume, "survey-resume"),
    *page_and_twin("respond/<str:key>/check/", survey.check, "survey-check"),
    *page_and_twin("respond/<str:key>/done/", survey.done, "survey-done"),
    *page_and_twin("respond/<str:key>/<slug:page>/", survey.page, "survey-page"),
    path("sign-in/", accounts.sign_in, name="sign-in"),
    path("sign-in/code/", accounts.sign_in_code, name="sign-in-code"),
    path("sign-out/", accounts.sign_out, name="sign-out"),
    *page_and_twin("dashboard/", dashboards.dashboard, "dashboard"),
    *page_and_twin("dashboard/wave/<int:wave_id>/", dashboards.wave_tables, "dashboard-wave"),
    *page_and_twin("dashboard/wave/<int:wave_id>/tables/<slug:table_id>/", dashboards.table_page, "dashboard-table"),
    *page_and_twin("dashboard/wave/<int:wave_id>/overview/", dashboards.overview, "dashboard-overview"),
    re_path(r"^dashboard/wave/(?P<wave_id>\d+)/download\.(?P<fmt>csv|xlsx)$", dashboards.download, name="download"),
    *page_and_twin("dashboard/wave/<int:wave_id>/contacts/", dashboards.contacts, "contacts"),
    *page_and_twin("dashboard/wave/<int:wave_id>/compare/", compare_views.compare_page, "dashboard-compare"),
    *page_and_twin("dashboard/wave/<int:wave_id>/crosstab/", crosstab_views.crosstab_page, "dashboard-crosstab"),
    path("dashboard/wave/<int:wave_id>/crosstab.csv", crosstab_views.crosstab_download, name="crosstab-download"),
    *page_and_twin("imports/", imports.upload, "imports"),
    *page_and_twin("imports/<str:token>/", imports.draft_page, "import-draft"),
    path("imports/<str:token>/mapping.yaml", imports.mapping_file, name="import-mapping"),
    *page_and_twin("mentoring/join/", mentoring.join, "mentoring-join"),
    *page_and_twin("mentoring/me/<str:key>/", mentoring.me, "mentoring-me"),
    *page_and_twin("mentoring/mentor/", mentoring.mentor, "mentoring-mentor"),
    path("mentoring/mentor/decline/<int:match_id>/", mentoring.mentor_decline, name="mentoring-mentor-decline"),
    *page_and_twin("mentoring/rounds/", mentoring.rounds, "mentoring-rounds"),
    *page_and_twin("mentoring/rounds/<int:round_id>/", mentoring.round_detail, "mentoring-round"),
    *page_and_twin("coding/", coding.index, "coding"),
    *page_and_twin("coding/<int:project_id>/", coding.project_page, "coding-project",
                   aliases=("coding/<int:project_id>/themes.json",)),
    *page_and_twin("coding/<int:project_id>/doc/<int:document_id>/", coding.document_page, "coding-document"),
    re_path(r"^coding/(?P<project_id>\d+)/export\.(?P<fmt>qdpx|qdc)$", coding.export, name="coding-export"),
    path("coding/<int:project_id>/import/", coding.import_project, name="coding-import"),
    *page_and_twin("coding/<int:project_id>/suggestions/", coding.suggestions, "coding-suggestions"),
    *page_and_twin("coding/<int:project_id>/frames/<slug:frame>/", coding_frames.frame_page, "coding-frame"),
    *coding_urls.urlpatterns,  # passages, blind rounds, the codebook (nmahp.web.coding.urls)
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
    *page_and_twin("jobs/", jobs.index, "jobs"),
    *page_and_twin("jobs/<int:job_id>/", jobs.job_page, "job"),
    path("jobs/<int:job_id>/file", jobs.job_file, name="job-file"),
    *page_and_twin("programme/", programme.index, "programme"),
    *page_and_twin("programme/versions/", programme.versions, "programme-versions"),
    *page_and_twin("programme/versions/<int:version_id>/", programme.version_page, "programme-version"),
    *page_and_twin("programme/waves/new/", programme.new_wave, "programme-new-wave"),
    *page_and_twin("programme/waves/<int:wave_id>/", programme.wave_page, "programme-wave"),
    *page_and_twin("organisation/", programme.organisation, "organisation"),
    *outreach_urls.urlpatterns,  # invitees, their own links, unsubscribing (nmahp.web.outreach)
    path("admin/", admin.site.urls),
]
