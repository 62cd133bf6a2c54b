"""The SQLite backend (``wiredesk.core.db_sqlite3``): Django's, with each statement's
placeholders converted once per text."""

from __future__ import annotations

import pytest
from django.db import connection, connections
from django.db.backends.sqlite3.base import SQLiteCursorWrapper as DjangoCursor

from wiredesk.core.db_sqlite3 import base

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend")

STATEMENTS = [
    "SELECT 1",
    "SELECT a FROM t WHERE b = %s AND c IN (%s, %s)",
    "SELECT a FROM t WHERE b LIKE '100%%' AND c = %s",
    "UPDATE t SET a = %s WHERE b = '%%s literal' AND c = %s",
]


@pytest.mark.django_db
def test_sqlite_installations_use_it():
    assert connection.settings_dict["ENGINE"] == "wiredesk.core.db_sqlite3"
    assert isinstance(connections["default"], base.DatabaseWrapper)
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, base.SQLiteCursorWrapper)


def test_statements_are_converted_as_django_converts_them():
    for sql in STATEMENTS:
        assert base.SQLiteCursorWrapper.convert_query(None, sql) == \
            DjangoCursor.convert_query(None, sql)
    named = "SELECT a FROM t WHERE b = %(first)s AND c = %(second)s AND d LIKE '5%%'"
    names = ("first", "second")
    assert base.SQLiteCursorWrapper.convert_query(None, named, param_names=names) == \
        DjangoCursor.convert_query(None, named, param_names=names)


def test_a_statement_is_converted_once_and_then_remembered():
    sql = "SELECT id FROM remembered_table WHERE a = %s AND b = %s"
    before = base._qmark.cache_info()
    assert base.SQLiteCursorWrapper.convert_query(None, sql) == \
        "SELECT id FROM remembered_table WHERE a = ? AND b = ?"
    base.SQLiteCursorWrapper.convert_query(None, sql)
    after = base._qmark.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)


@pytest.mark.django_db
def test_queries_run_through_it_with_positional_and_named_parameters():
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s || '%%', %s", ["50", 2])
        assert cursor.fetchone() == ("50%", 2)
        cursor.execute("SELECT %(a)s + %(b)s", {"a": 1, "b": 2})
        assert cursor.fetchone() == (3,)
        cursor.execute("CREATE TEMP TABLE many (n integer, label text)")
        cursor.executemany("INSERT INTO many VALUES (%s, %s)", [[1, "a%"], [2, "b"]])
        cursor.execute("SELECT n, label FROM many WHERE label LIKE 'a%%'")
        assert cursor.fetchall() == [(1, "a%")]
