"""Link the first use of every glossary term on a page to its glossary entry."""

from django.conf import settings

from nmahp.navigator.glossary import link_terms

from .content import get_content

# pages where a link would do harm: a survey page (leaving it loses answers), coded transcripts (text
# must stay verbatim), sign-in and the admin; and the dashboards, which are tables and figures (never linked
# inside) served from a cache, where a pass over the page would cost more than the page
DEFAULT_SKIP = ("/survey/", "/respond/", "/coding/", "/sign-in/", "/admin/", "/static/", "/dashboard/")


class GlossaryLinks:
    def __init__(self, get_response):
        self.get_response = get_response
        self.skip = tuple(getattr(settings, "GLOSSARY_LINK_SKIP", DEFAULT_SKIP))

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code != 200 or getattr(response, "streaming", False)
                or not response.get("Content-Type", "").startswith("text/html")
                or request.path.startswith(self.skip)):
            return response
        page = response.content.decode(response.charset or "utf-8")
        linked = link_terms(page, get_content().glossary)
        if linked != page:
            response.content = linked.encode(response.charset or "utf-8")
        return response
