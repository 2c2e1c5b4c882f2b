"""Content-Security-Policy on every response (Django 5.2 has no built-in CSP); Cache-Control: no-store on
every response that is not a static file; a request carrying a NUL byte refused before any view runs."""

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils.cache import patch_cache_control


class ContentSecurityPolicy:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class NoStore:
    """Answers, contact details, dashboards, downloads, coding pages and mentoring pages reached by a private
    key must not be kept by a browser or a shared cache: every response below WhiteNoise (which answers
    static files itself, with their own long-lived caching) is sent with Cache-Control: no-store."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            patch_cache_control(response, no_store=True)
        return response


def _has_nul(items) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in items)


class RefuseNul:
    """A NUL byte is never part of a name, a key or an answer, and PostgreSQL refuses it in text (a 500 if
    it reached a query): a request with one in its path, query, form fields or cookies is a 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if ("\x00" in request.path or "\x00" in request.path_info or _has_nul(request.GET.lists())
                or _has_nul((k, [v]) for k, v in request.COOKIES.items()) or self._form_has_nul(request)):
            return HttpResponseBadRequest("The request contains a NUL byte.", content_type="text/plain")
        return self.get_response(request)

    @staticmethod
    def _form_has_nul(request) -> bool:
        if request.method != "POST":
            return False
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            # an upload larger than the form limit: left unread here, so the view can answer its size itself
            return False
        try:
            return _has_nul(request.POST.lists())
        except OSError:  # the client went away mid-upload: as CsrfViewMiddleware, leave it to the view
            return False
