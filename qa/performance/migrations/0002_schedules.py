from django.db import migrations

from qa.lib.schedules import schedules_operation
from qa.performance.schedules import SCHEDULES


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [schedules_operation(SCHEDULES)]
