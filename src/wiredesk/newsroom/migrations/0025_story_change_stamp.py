"""A change stamp on every story row, set by the database itself on each write.

SEE ALSO's candidates and a story's join read some 120 story rows an article, nearly all
unchanged since the stage last read them; with the stamp they read each row's id and stamp
and only the changed rows in full (``story_reads``). Triggers set it, not the code, so no
writer can forget it: the stage, an editor's merge or split, a kill's cascade, an
operator's SQL. The column is not a model field on purpose: the ORM never writes it, and a
later migration that rebuilds the table on SQLite (dropping columns the models do not
name, and their triggers) makes the stage's reads fail loudly instead of trusting stamps
nobody sets any more (``tests/newsroom/test_story_stamps.py`` checks the triggers after
every migration).

A stamp is a random number, not a count: a count would come back after a rolled-back
write (a row read inside it, then written anew with other values, would pass for the row
kept) and after a restore. Equal stamps thus mean the same write, so the same values: a
changed row passes for the row kept only if its new stamp equals the old one, a chance of
2^-64 a write on SQLite (``random()``), 2^-53 on PostgreSQL (``random()``'s double). 0
means "not stamped", never trusted: the rows stored before this migration, until their next
write (stamping them here would rewrite every story row of a large archive, and leave as
many dead rows on PostgreSQL, for stories mostly outside the window the stage reads).
"""

from django.db import migrations

SQLITE = [
    "ALTER TABLE newsroom_story ADD COLUMN change_stamp integer NOT NULL DEFAULT 0",
    # SQLite's triggers cannot change the row being written: the stamp is set by a second
    # UPDATE. Its own write does not fire the trigger again (recursive triggers are off by
    # default; the WHEN keeps it so if an operator turns them on: the stamp differs then).
    "CREATE TRIGGER newsroom_story_change_stamp AFTER UPDATE ON newsroom_story"
    " FOR EACH ROW WHEN NEW.change_stamp = OLD.change_stamp"
    " BEGIN UPDATE newsroom_story SET change_stamp = random() WHERE id = NEW.id; END",
    "CREATE TRIGGER newsroom_story_change_stamp_new AFTER INSERT ON newsroom_story"
    " FOR EACH ROW WHEN NEW.change_stamp = 0"
    " BEGIN UPDATE newsroom_story SET change_stamp = random() WHERE id = NEW.id; END",
]
SQLITE_BACK = [
    "DROP TRIGGER IF EXISTS newsroom_story_change_stamp_new",
    "DROP TRIGGER IF EXISTS newsroom_story_change_stamp",
    "ALTER TABLE newsroom_story DROP COLUMN change_stamp",
]
# A random bigint in [1, 2^53]: random() is a double with 53 bits of randomness.
_PG_RANDOM = "(floor(random() * 9007199254740992)::bigint + 1)"
POSTGRESQL = [
    "ALTER TABLE newsroom_story ADD COLUMN change_stamp bigint NOT NULL DEFAULT 0",
    "CREATE FUNCTION newsroom_story_change_stamp() RETURNS trigger LANGUAGE plpgsql AS"
    f" $$ BEGIN NEW.change_stamp := {_PG_RANDOM}; RETURN NEW; END $$",
    "CREATE TRIGGER newsroom_story_change_stamp BEFORE INSERT OR UPDATE ON newsroom_story"
    " FOR EACH ROW EXECUTE FUNCTION newsroom_story_change_stamp()",
]
POSTGRESQL_BACK = [
    "DROP TRIGGER IF EXISTS newsroom_story_change_stamp ON newsroom_story",
    "DROP FUNCTION IF EXISTS newsroom_story_change_stamp()",
    "ALTER TABLE newsroom_story DROP COLUMN IF EXISTS change_stamp",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"no change stamp for {schema_editor.connection.vendor}")
        with schema_editor.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    return run


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0024_storyterm_covering_index")]

    operations = [migrations.RunPython(
        _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
        _run({"sqlite": SQLITE_BACK, "postgresql": POSTGRESQL_BACK}))]
