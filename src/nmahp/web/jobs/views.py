"""Job pages: a job's progress and what came of it (or why it failed), its file, and the list of jobs
with the report form. A job is seen by whoever asked for it, and by analysts and admins."""

from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from nmahp.app import jobs
from nmahp.errors import NmahpError

from ..accounts.access import role_of, role_required
from ..accounts.models import ADMIN, ANALYST, LEAD, MENTOR, audit
from ..pages import respond
from ..surveys.models import Wave
from .models import Job

EVERYONE = (MENTOR, LEAD, ANALYST, ADMIN)
REFRESH_SECONDS = 2


def _sees_all(request) -> bool:
    return role_of(request.user) in (ANALYST, ADMIN)


def _job_for(request, job_id: int) -> Job:
    try:
        job = jobs.get(job_id)
    except NmahpError:
        raise Http404("No such job") from None
    if job.user_id != request.user.pk and not _sees_all(request):
        raise Http404("No such job")  # someone else's job is not confirmed to exist
    return job


@require_http_methods(["GET", "POST"])
@role_required(*EVERYONE)
def job_page(request, job_id, as_json=False):
    job = _job_for(request, job_id)
    if request.method == "POST":
        try:
            jobs.retry(job.pk)
        except NmahpError:
            pass  # it was retried meanwhile, or is running: the page says which
        return redirect("job", job_id=job.pk)
    data = jobs.describe(job)
    result = job.result or {}
    if not as_json and request.GET.get("next") and job.status == Job.DONE and result.get("url"):
        return redirect(result["url"])  # the page that asked for the work shows what came of it
    waiting = job.status in (Job.QUEUED, Job.RUNNING)
    context = {"job": job, "info": data, "waiting": waiting, "refresh": REFRESH_SECONDS if waiting else None,
               "result": result, "facts": [(k.replace("_", " "), v) for k, v in result.items()
                                           if k not in ("url", "file", "summary") and isinstance(v, str | int | float)]}
    return respond(request, "web/jobs/job.html", context, data, as_json=as_json)


@require_http_methods(["GET"])
@role_required(*EVERYONE)
def job_file(request, job_id):
    job = _job_for(request, job_id)
    name = (job.result or {}).get("file")
    if job.status != Job.DONE or not name:
        raise Http404("This job has no file")
    path = jobs.folder(job.pk) / name
    if path.parent != jobs.folder(job.pk) or not path.is_file():
        raise Http404("This job's file is no longer kept")
    audit(request.user.get_username(), "download_job_file", f"job {job.pk} ({job.kind})", name)
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


@require_http_methods(["GET", "POST"])
@role_required(*EVERYONE)
def index(request, as_json=False):
    analyst = _sees_all(request)
    problem = ""
    if request.method == "POST" and analyst:
        wave = request.POST.get("wave", "")
        fmt = request.POST.get("format", "")
        if Wave.objects.filter(name=wave).exists() and fmt in ("html", "docx", "pdf"):
            job = jobs.submit("report", {"wave": wave, "format": fmt}, user=request.user)
            return redirect("job", job_id=job.pk)
        problem = "Choose one of the waves and a format (Word, PDF or web page)"
    listed = Job.objects.select_related("user")
    if not analyst:
        listed = listed.filter(user=request.user)
    listed = list(listed[:50])
    waves = sorted(set(Wave.objects.values_list("name", flat=True)))
    data = {"jobs": [{"id": j.pk, "kind": j.kind, "status": j.status, "created": j.created.isoformat(),
                      "asked_by": j.user.get_username() if j.user else None} for j in listed],
            "report_waves": waves if analyst else []}
    return respond(request, "web/jobs/index.html", {"jobs": listed, "waves": waves, "analyst": analyst,
                                                    "problem": problem}, data,
                   as_json=as_json, status=400 if problem else 200)
