"""Django's SQLite backend, with each statement's placeholders converted once per text.

Django writes ``%s`` placeholders and its SQLite cursor turns them into ``?`` with a
regular expression on every execution. wiredesk's ingest and intelligence steps send the
same few hundred statement texts thousands of times an hour: the conversion was about 4% of
the intelligence stage's instructions (BENCHMARKS.md, issue 16). Here each text is
converted once and remembered (a bounded cache: statements that embed values, such as an
``IN`` list of a given length, are few and their texts repeat too). The conversion itself
is Django's, unchanged.
"""

from __future__ import annotations

from functools import lru_cache

from django.db.backends.sqlite3 import base

# Distinct statement texts remembered per process (their converted form): about a megabyte
# at most, more than the few hundred texts a process sends.
STATEMENTS_KEPT = 2048


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return _qmark(query)
        return _named(query, tuple(param_names))


@lru_cache(maxsize=STATEMENTS_KEPT)
def _qmark(query: str) -> str:
    return base.SQLiteCursorWrapper.convert_query(None, query)


@lru_cache(maxsize=STATEMENTS_KEPT)
def _named(query: str, param_names: tuple[str, ...]) -> str:
    return base.SQLiteCursorWrapper.convert_query(None, query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)
