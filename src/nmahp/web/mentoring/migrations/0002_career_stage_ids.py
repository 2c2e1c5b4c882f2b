"""Career stages become the study's stage ids (nmahp.study) instead of integers 0-6 of a list of
the matching package's own. The seven old rungs map onto the study's six."""

from django.db import migrations, models

OLD_TO_NEW = {"0": "first-steps", "1": "first-steps", "2": "pre-doctoral", "3": "pre-doctoral", "4": "doctoral",
              "5": "post-doctoral", "6": "senior"}
NEW_TO_OLD = {"pre-registration": 0, "first-steps": 1, "pre-doctoral": 3, "doctoral": 4, "post-doctoral": 5,
              "senior": 6}


def forwards(apps, schema_editor):
    for model in ("ClinicianProfile", "MentorProfile"):
        Profile = apps.get_model("mentoring", model)
        for profile in Profile.objects.all().only("pk", "career_stage"):
            Profile.objects.filter(pk=profile.pk).update(
                career_stage=OLD_TO_NEW.get(str(profile.career_stage), "first-steps"))


def backwards(apps, schema_editor):
    for model in ("ClinicianProfile", "MentorProfile"):
        Profile = apps.get_model("mentoring", model)
        for profile in Profile.objects.all().only("pk", "career_stage"):
            Profile.objects.filter(pk=profile.pk).update(career_stage=str(NEW_TO_OLD.get(profile.career_stage, 1)))


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0001_initial")]

    operations = [
        migrations.AlterField("clinicianprofile", "career_stage",
                              models.CharField(max_length=30, help_text="A career stage id of the study's vocabulary.")),
        migrations.AlterField("mentorprofile", "career_stage",
                              models.CharField(max_length=30, default="post-doctoral",
                                               help_text="A career stage id of the study's vocabulary.")),
        migrations.RunPython(forwards, backwards),
    ]
