"""A memo goes with what it is about: when a highlight, code or document is deleted (by hand, by a merge,
or by erasing a respondent, whose words a memo on their answer may quote), memos attached to it alone are
deleted and others no longer point at it."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from .models import CodeItem, CodingDocument, CodingNote, HighlightItem


def _detach(project_id: int | None, guid: str) -> None:
    if project_id is None:
        return
    for note in CodingNote.objects.filter(project_id=project_id):
        if guid not in note.attached_to:
            continue
        rest = [g for g in note.attached_to if g != guid]
        if rest:
            note.attached_to = rest
            note.save(update_fields=["attached_to"])
        else:
            note.delete()


@receiver(pre_delete, sender=HighlightItem)
def highlight_deleted(sender, instance, **kwargs):
    project = CodingDocument.objects.filter(pk=instance.document_id).values_list("project_id", flat=True).first()
    _detach(project, instance.guid)


@receiver(pre_delete, sender=CodingDocument)
@receiver(pre_delete, sender=CodeItem)
def item_deleted(sender, instance, **kwargs):
    _detach(instance.project_id, instance.guid)
