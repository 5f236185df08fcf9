"""Give an installed default rubric its keys and automatic checks (matched by question, in every version).

Keys and checks change no score, so existing versions take them in place; a rubric installed from now on
gets them (and the dead-air question) from `rubric_install_default`.
"""

from django.db import migrations

DEFAULT_RUBRIC_NAME = "Standard call quality"


def add_keys(apps, schema_editor):
    from qa.autoqa.defaults import DEFAULT_RUBRIC_KEYS, default_checks

    Criterion = apps.get_model("reviews", "Criterion")
    checks = {check.key: check.to_dict() for check in default_checks()}
    for criterion in Criterion.objects.filter(section__version__rubric__name=DEFAULT_RUBRIC_NAME, key=""):
        key = DEFAULT_RUBRIC_KEYS.get(criterion.question)
        if key is None:
            continue
        check = dict(checks[key])
        check.pop("key")
        criterion.key, criterion.auto_check = key, check
        criterion.save(update_fields=["key", "auto_check"])


class Migration(migrations.Migration):
    dependencies = [("reviews", "0004_criterion_auto_check")]

    operations = [migrations.RunPython(add_keys, migrations.RunPython.noop)]
