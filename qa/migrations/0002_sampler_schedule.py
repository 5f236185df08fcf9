from django.db import migrations


def create_sampler_schedule(apps, schema_editor):
    from qa.schedules import ensure_schedules

    ensure_schedules(apps.get_model("django_q", "Schedule"))


class Migration(migrations.Migration):
    """The sampler runs hourly from the moment the database is migrated; re-running is a no-op."""

    dependencies = [
        ("qa", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_sampler_schedule, migrations.RunPython.noop)]
