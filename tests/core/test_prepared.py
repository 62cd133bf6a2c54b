"""PostgreSQL's prepared blocks (``wiredesk.core.prepared``): each statement text converted to
the server's placeholders once, whatever its number of parameters."""

from __future__ import annotations

import pytest
from django.db import connection

from wiredesk.core import prepared

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL")]

# More parameters than psycopg keeps the conversion of (50): an IN list of 60 values.
VALUES = list(range(60))
IN_LIST = ("SELECT count(*), sum(v) FROM (VALUES " + ", ".join(["(%s)"] * len(VALUES))
           + ") AS t(v) WHERE v IN (" + ", ".join(["%s"] * 30) + ") AND 100 = %s")


@pytest.fixture
def scans(monkeypatch):
    """Each scan psycopg makes of a text it does not keep the conversion of (more than 50
    parameters: those this module's memory is for)."""
    import psycopg._queries as queries

    seen: list[bytes] = []
    scan = queries._query2pg_nocache

    def counted(query, encoding):
        seen.append(query)
        return scan(query, encoding)

    monkeypatch.setattr(queries, "_query2pg_nocache", counted)
    monkeypatch.setattr(prepared, "_converted", {})
    return seen


def _run(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def test_a_text_of_many_parameters_is_scanned_once_in_a_block(scans):
    answers = []
    with prepared.prepared_statements():
        for first in range(3):
            answers.append(_run(IN_LIST, [*VALUES, *range(first, first + 30), 100]))
    assert answers == [(30, sum(range(first, first + 30))) for first in range(3)]
    assert len([q for q in scans if b"VALUES" in q]) == 1


def test_outside_a_block_the_connection_is_as_django_makes_it(scans):
    with prepared.prepared_statements():
        _run(IN_LIST, [*VALUES, *range(30), 100])
    from django.db.backends.postgresql.base import ServerBindingCursor

    assert not issubclass(connection.connection.cursor_factory, ServerBindingCursor)
    assert _run("SELECT %s::int + %s::int", [2, 3]) == (5,)


def test_the_memory_is_bounded(scans, monkeypatch):
    monkeypatch.setattr(prepared, "CONVERTED_KEPT", 3)
    with prepared.prepared_statements():
        for size in range(1, 8):
            sql = "SELECT " + " + ".join(["%s::int"] * size)
            assert _run(sql, [1] * size) == (size,)
            assert len(prepared._converted) <= 3
    assert len(prepared._converted) == 1  # emptied at the seventh, which was kept


def test_a_wrong_number_of_parameters_fails_as_psycopg_says_and_is_not_kept(scans):
    from django.db import ProgrammingError

    sql = "SELECT %s::int, %s::int"
    with prepared.prepared_statements():
        with pytest.raises(ProgrammingError, match="2 placeholders but 1"):
            _run(sql, [1])
        assert not prepared._converted
        assert _run(sql, [1, 2]) == (1, 2)
        with pytest.raises(ProgrammingError, match="2 placeholders but 3"):
            _run(sql, [1, 2, 3])  # from the memory: the same check
        assert _run(sql, [3, 4]) == (3, 4)


def test_named_placeholders_and_literal_percent_signs_convert_as_psycopg_does(scans):
    sql = ("SELECT %(a)s::int + %(b)s::int + %(a)s::int,"
           " '50%%' || %(c)s::text, %(c)s::text LIKE 'x%%'")
    with prepared.prepared_statements():
        for round_no in range(3):
            assert _run(sql, {"a": round_no, "b": 10, "c": "xy"}) == \
                (2 * round_no + 10, "50%xy", True)


def test_a_psycopg_of_another_shape_gets_djangos_cursor(monkeypatch):
    import psycopg._queries as queries
    from django.db.backends.postgresql.base import ServerBindingCursor

    class Other:
        __slots__ = ("query",)

    class NoSlots:
        def dump(self, vars):
            pass

    for shape in (Other, NoSlots):
        monkeypatch.setattr(queries, "PostgresQuery", shape)
        assert prepared._binding_cursor.__wrapped__() is ServerBindingCursor
