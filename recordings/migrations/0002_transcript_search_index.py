from django.db import migrations

# A GIN index is PostgreSQL's; SQLite searches the plain text instead.
CREATE = "CREATE INDEX IF NOT EXISTS recordings_transcript_search_gin ON recordings_transcript USING gin (search_vector)"
DROP = "DROP INDEX IF EXISTS recordings_transcript_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("recordings", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
