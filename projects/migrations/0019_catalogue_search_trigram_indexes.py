"""Trigram indexes for the catalogue's search box (PostgreSQL only).

The catalogue matches each word of a search with icontains on the published projects' title,
summary and structure name, which PostgreSQL writes UPPER(column) LIKE UPPER('%word%'): a
pattern no b-tree serves, so every published project was read to count the matches. A GIN
index of the trigrams of UPPER(column), partial on the published projects like the
catalogue's other indexes (projects.models.PUBLISHED), finds them instead. The indexes are
not declared in the models' Meta (an expression with an operator class, PostgreSQL only): on
SQLite this migration does nothing and the search reads the rows, as it always did there.
pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
"""

from django.db import migrations

COLUMNS = ["title", "summary", "structure_name"]
PUBLISHED = "publish_agreed AND label_number::text > ''::text"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS project_published_{column}_trgm ON projects_project "
            f"USING gin (UPPER({column}::text) gin_trgm_ops) WHERE {PUBLISHED}"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS project_published_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("projects", "0018_published_condition_estimated")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
