from django.conf import settings
from django.db import models


class Job(models.Model):
    """One piece of work longer than a page, run by a worker: what was asked, by whom, how far it got and
    what came of it (a JSON result, or in plain English why it failed)."""

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATUSES = [(QUEUED, "Waiting for a worker"), (RUNNING, "Running"), (DONE, "Done"), (FAILED, "Failed")]

    kind = models.CharField(max_length=60)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED, db_index=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    progress_message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="jobs")
    # host:pid of the worker process running it, so a worker starting on that host can tell a job whose
    # worker died (killed mid-job) from one another worker is still running
    worker = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"job {self.pk} ({self.kind}, {self.status})"
