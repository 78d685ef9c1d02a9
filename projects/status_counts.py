"""How many dossiers are in each status, kept up to date by the database itself.

The team's pipeline shows, above its list, the number of dossiers of every status. Counted
with GROUP BY, that reads an entry of the status index per dossier: at 50 000 dossiers, 8 ms
of the page's 11 ms of SQL, growing with the data. The table projects_statuscount
(StatusCount) holds one row per status with its number of dossiers, and triggers on
projects_project keep it exact whatever writes the dossiers: a service, the admin, a
bulk_create, an UPDATE typed in psql. The pipeline reads it when no filter narrows the
dossiers (its first page, and every status button from there).

The triggers are (re)installed and the counts recomputed after every `migrate` (and `flush`):
a migration that rebuilds projects_project on SQLite drops its triggers with the old table,
and a count is then put right again. Two transactions moving dossiers between the same two
statuses in opposite directions would each lock one counter row and wait for the other's
(PostgreSQL aborts one of them): the trigger updates the two rows in the order of their codes,
so they queue instead.

tests/projects/test_status_counts.py checks the counts after every kind of write, on SQLite
and on PostgreSQL.
"""

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION projects_status_count() RETURNS trigger AS $$
    DECLARE
        gone text := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN OLD.status END;
        came text := CASE WHEN TG_OP IN ('UPDATE', 'INSERT') THEN NEW.status END;
    BEGIN
        IF gone IS NOT DISTINCT FROM came THEN
            RETURN NULL;
        END IF;
        -- The two counter rows in the order of their codes (see the module's text).
        IF gone IS NOT NULL AND (came IS NULL OR gone < came) THEN
            UPDATE projects_statuscount SET n = n - 1 WHERE status = gone;
            gone := NULL;
        END IF;
        IF came IS NOT NULL THEN
            INSERT INTO projects_statuscount (status, n) VALUES (came, 1)
            ON CONFLICT (status) DO UPDATE SET n = projects_statuscount.n + 1;
        END IF;
        IF gone IS NOT NULL THEN
            UPDATE projects_statuscount SET n = n - 1 WHERE status = gone;
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS projects_status_count ON projects_project",
    """
    CREATE TRIGGER projects_status_count
    AFTER INSERT OR DELETE OR UPDATE OF status ON projects_project
    FOR EACH ROW EXECUTE FUNCTION projects_status_count()
    """,
]

SQLITE = [
    """
    CREATE TRIGGER IF NOT EXISTS projects_status_count_insert
    AFTER INSERT ON projects_project
    BEGIN
        INSERT INTO projects_statuscount (status, n) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET n = n + 1;
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS projects_status_count_delete
    AFTER DELETE ON projects_project
    BEGIN
        UPDATE projects_statuscount SET n = n - 1 WHERE status = OLD.status;
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS projects_status_count_update
    AFTER UPDATE OF status ON projects_project
    WHEN OLD.status IS NOT NEW.status
    BEGIN
        UPDATE projects_statuscount SET n = n - 1 WHERE status = OLD.status;
        INSERT INTO projects_statuscount (status, n) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET n = n + 1;
    END
    """,
]

RECOUNT = [
    "DELETE FROM projects_statuscount",
    """
    INSERT INTO projects_statuscount (status, n)
    SELECT status, COUNT(*) FROM projects_project GROUP BY status
    """,
]


def install(connection: BaseDatabaseWrapper) -> None:
    """The triggers, and every count recomputed from the dossiers (in one transaction)."""
    statements = {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(connection.vendor)
    if statements is None:
        raise NotImplementedError(f"No status count triggers for {connection.vendor}")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Writers wait while the counts are recomputed: none is lost in between.
            cursor.execute("LOCK TABLE projects_project IN SHARE ROW EXCLUSIVE MODE")
        for statement in statements + RECOUNT:
            cursor.execute(statement)


UNINSTALL = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS projects_status_count ON projects_project",
        "DROP FUNCTION IF EXISTS projects_status_count()",
    ],
    "sqlite": [
        f"DROP TRIGGER IF EXISTS projects_status_count_{name}"
        for name in ("insert", "delete", "update")
    ],
}


def uninstall(connection: BaseDatabaseWrapper) -> None:
    """The triggers removed (migrating back before the counts' table)."""
    with connection.cursor() as cursor:
        for statement in UNINSTALL.get(connection.vendor, []):
            cursor.execute(statement)


def install_after_migrate(sender, using: str, **kwargs) -> None:
    """post_migrate (also sent by `flush`): installed when the counts' table exists, removed
    when a migration back took it away."""
    from django.db import transaction

    connection = connections[using]
    with transaction.atomic(using=using):
        if "projects_statuscount" in connection.introspection.table_names():
            install(connection)
        else:
            uninstall(connection)
