from django.db import migrations

NAME = "Requeue stale transcriptions"


def create_schedule(apps, schema_editor):
    # Brokers that drop a task when its worker dies (Redis) rely on this sweep.
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        name=NAME,
        defaults={"func": "recordings.tasks.requeue_stale_transcriptions", "schedule_type": "I", "minutes": 1, "repeats": -1},
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("recordings", "0002_transcript_search_index"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
