"""Saves of a model instance as one plain UPDATE or INSERT, with the signals ``save()`` sends.

Storing saves every new article, and the intelligence stage an article and its story for
every item; building those statements through the ORM cost more than the database's work
(issue 16). These send ``pre_save``/``post_save`` with the arguments ``save()`` sends, so
every receiver (search index, edition stamps, change stream, static mode) sees the same
call.
``tests/newsroom/test_intelligence_tables.py`` holds them to ``save()`` on both engines.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from django.db import DatabaseError, connection, models
from django.db.models.signals import post_save, pre_save


def save_fields(instance: models.Model, fields: Sequence[str]) -> None:
    """``instance.save(update_fields=fields)`` for a row that exists, without the ORM
    building the UPDATE: each named field's value taken as ``save()`` takes it (the field's
    ``pre_save``: an ``auto_now`` field is stamped now) and prepared by the field, one
    UPDATE of those columns by the primary key, and the model's ``pre_save`` and
    ``post_save`` signals sent with the arguments ``save()`` sends (``created=False``, the
    fields as a frozenset): the receivers (search index, edition stamps, change stream) see
    the same call. Raises ``DatabaseError`` as ``save()`` does when no row was updated.
    For a model with no parent model and no ``save()`` of its own that matters here (an
    article's sets its slug only when it has none: a stored article has one)."""
    model = type(instance)
    names = frozenset(fields)
    using = connection.alias
    pre_save.send(sender=model, instance=instance, raw=False, using=using,
                  update_fields=names)
    chosen, sql = _update_of(model, names, connection.vendor)
    params = _values(instance, chosen, adding=False)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, instance.pk])
        if cursor.rowcount == 0:
            raise DatabaseError("Save with update_fields did not affect any rows.")
    instance._state.db = using
    instance._state.adding = False
    post_save.send(sender=model, instance=instance, created=False, update_fields=names,
                   raw=False, using=using)


@lru_cache(maxsize=64)
def _update_of(model: type[models.Model], names: frozenset[str], vendor: str
               ) -> tuple[list, str]:
    """The fields ``names`` names (in the model's order) and the UPDATE of their columns."""
    meta = model._meta
    chosen = [field for field in meta.local_concrete_fields if not field.primary_key
              and (field.name in names or field.attname in names)]
    if len(chosen) != len(names):
        raise ValueError(f"not fields of {meta.label}: {sorted(names)}")
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(field.column)} = %s" for field in chosen)
    return _plan(chosen, vendor), (f"UPDATE {quote(meta.db_table)} SET {sets}"  # noqa: S608
                    f" WHERE {quote(meta.pk.column)} = %s")


def save_new(instance: models.Model, *, unless_taken: bool = False) -> bool:
    """``instance.save()`` of an instance not yet stored, whose primary key the database
    gives: one INSERT of every other column (each value as ``save()`` takes it: an
    ``auto_now_add`` field is stamped now), the new key read back (``RETURNING``: SQLite
    3.35+ and PostgreSQL), and ``pre_save``/``post_save`` sent as ``save()`` sends them
    (``created=True``). For a model with no parent model and no ``save()`` of its own that
    matters here (an article's sets its slug only when it has none: set it first).

    ``unless_taken``: a row that would break a unique constraint is not inserted (``ON
    CONFLICT DO NOTHING``: no error, so no savepoint is needed around the call) and no
    ``post_save`` is sent; says whether the row was inserted."""
    model = type(instance)
    using = connection.alias
    pre_save.send(sender=model, instance=instance, raw=False, using=using,
                  update_fields=None)
    chosen, sql = _insert_of(model, connection.vendor, unless_taken)
    params = _values(instance, chosen, adding=True)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:  # taken: nothing inserted
        return False
    setattr(instance, model._meta.pk.attname, row[0])
    instance._state.db = using
    instance._state.adding = False
    post_save.send(sender=model, instance=instance, created=True, update_fields=None,
                   raw=False, using=using)
    return True


@lru_cache(maxsize=16)
def _insert_of(model: type[models.Model], vendor: str, unless_taken: bool
               ) -> tuple[list, str]:
    """The fields an INSERT of ``model`` writes (all but the key) and that INSERT."""
    meta = model._meta
    chosen = [field for field in meta.local_concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in chosen)
    marks = ", ".join(["%s"] * len(chosen))
    skip = " ON CONFLICT DO NOTHING" if unless_taken else ""
    return _plan(chosen, vendor), (f"INSERT INTO {quote(meta.db_table)} ({columns})"  # noqa: S608
                    f" VALUES ({marks}){skip} RETURNING {quote(meta.pk.column)}")


# Fields whose value of one exact Python type (or None) the field hands to the database
# as it is: ``get_db_prep_save`` only checks that (``to_python`` of a str is the str).
# Preparing an article's ~50 values through the fields cost more than its INSERT did.
# Exact classes only: a subclass may prepare its value in its own way.
_AS_IS = {
    models.CharField: str, models.TextField: str, models.SlugField: str,
    models.URLField: str, models.EmailField: str,
    models.IntegerField: int, models.BigIntegerField: int, models.SmallIntegerField: int,
    models.PositiveIntegerField: int, models.PositiveBigIntegerField: int,
    models.PositiveSmallIntegerField: int, models.BooleanField: bool,
}
_KEY_FIELDS = (models.AutoField, models.BigAutoField, models.SmallAutoField)


def _as_is(field, vendor: str) -> type | None:
    """The Python type ``field`` writes unchanged, or None when it must prepare it.
    PostgreSQL's backend wraps every integer in the column's own type (``Int4``, ``Int8``:
    a prepared statement's parameter types must not change with the value), so there
    integers are prepared by their fields."""
    if type(field) is models.ForeignKey:
        target = type(field.target_field)
        as_is = int if target in _KEY_FIELDS else _AS_IS.get(target)
    else:
        as_is = _AS_IS.get(type(field))
    if as_is is int and vendor == "postgresql":
        return None
    return as_is


def _plan(fields: list, vendor: str) -> list[tuple]:
    """Each field with its attribute and the type it writes as it is (None: prepared)."""
    return [(field, field.attname, _as_is(field, vendor)) for field in fields]


def _values(instance: models.Model, plan: list[tuple], *, adding: bool) -> list:
    """What ``save()`` writes for each planned field: its ``pre_save`` value (a plain
    attribute for the fields that write as they are: none of them overrides ``pre_save``)
    prepared by the field unless it is of the type the field writes unchanged."""
    values = []
    for field, attname, kind in plan:
        if kind is None:
            values.append(field.get_db_prep_save(field.pre_save(instance, adding), connection))
            continue
        value = getattr(instance, attname)
        if value is not None and type(value) is not kind:
            value = field.get_db_prep_save(value, connection)
        values.append(value)
    return values
