"""Migrations and connection settings, on SQLite and on PostgreSQL."""

import json
import os

import pytest

from tests.e2e.processes import run_django

PG_URL = os.environ.get("WIREDESK_TEST_DATABASE_URL",
                        "postgres://postgres@127.0.0.1:5432/postgres")


def pg_up() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_URL, connect_timeout=2).close()
        return True
    except Exception:
        return False


def test_models_and_migrations_agree(data_dir):
    # Exits non-zero if a model change has no migration.
    run_django("from django.core.management import call_command;"
               "call_command('makemigrations', '--check', '--dry-run', verbosity=0)",
               data_dir.env)


@pytest.mark.skipif(not pg_up(), reason=f"no PostgreSQL at {PG_URL}")
def test_connection_pool_option_on_postgresql(data_dir):
    env = data_dir.env_with(DATABASE_URL=PG_URL, WIREDESK_DB_POOL="1:3")
    out = run_django(
        "import json; from django.db import connection;"
        "connection.ensure_connection();"
        "pool = connection.pool;"
        "print(json.dumps([pool.min_size, pool.max_size,"
        "connection.settings_dict['CONN_MAX_AGE']]))", env)
    assert json.loads(out.strip().splitlines()[-1]) == [1, 3, 0]


@pytest.mark.skipif(not pg_up(), reason=f"no PostgreSQL at {PG_URL}")
@pytest.mark.parametrize("pool", ["", "1:2"])
def test_postgresql_sessions_run_without_jit(data_dir, pool):
    # wiredesk's queries are short indexed lookups; JIT compilation only adds latency.
    env = data_dir.env_with(DATABASE_URL=PG_URL, WIREDESK_DB_POOL=pool)
    out = run_django(
        "from django.db import connection;"
        "cursor = connection.cursor(); cursor.execute('SHOW jit');"
        "print(cursor.fetchone()[0])", env)
    assert out.strip().splitlines()[-1] == "off"
