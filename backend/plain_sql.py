"""Reads written in plain SQL for the few statements every request of a hot path makes (a booking's unit, a search
page), where compiling the ORM's query takes longer than the database takes to run it.

A `PlainRead` names the models a statement's row holds, in order, and the extra values after them; it writes the
select list once and turns each row into model instances as the ORM would: the same converters applied to each
column (SQLite's time zones, for one), instances made by `Model.from_db`, so that they save, compare and load
deferred fields like any other. A model read through a LEFT JOIN that found nothing is None.
"""

import functools
from dataclasses import dataclass

from django.db import connection
from django.db.models import Field, Model, Value
from django.db.models.expressions import Expression


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    return quote(model._meta.db_table)


def column(model: type[Model], name: str, alias: str = "") -> str:
    """The quoted column of a field (by name; `unit` gives `unit_id`), after `alias.` when given."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{name} is not a column")
    quoted = quote(field.column)
    return f"{alias}.{quoted}" if alias else quoted


def placeholders(count: int) -> str:
    """`%s, %s, ...` for an IN list of `count` values (never empty: NULL matches nothing)."""
    return ", ".join(["%s"] * count) or "NULL"


@dataclass(frozen=True)
class Part:
    """One model's concrete fields, read from the table under `alias`."""

    alias: str
    model: type[Model]


class PlainRead:
    """The select list of `parts` then `extras` ((name, output field) pairs, each with its SQL expression given
    to `select_list`), and the conversion of a row of it."""

    def __init__(self, parts: list[Part], extras: tuple[tuple[str, Field], ...] = ()):
        self.parts = parts
        self.extras = extras
        self._fields = [part.model._meta.concrete_fields for part in parts]

    @functools.cached_property
    def _converters(self) -> list[tuple[list, Expression]]:
        """For each column, the converters the ORM would apply to it and the expression they are given; worked
        out on first use (the database's operations are not known while the apps load)."""
        columns: list[tuple[list, Expression]] = []
        for part, fields in zip(self.parts, self._fields, strict=True):
            for field in fields:
                col = field.get_col(part.alias)
                columns.append((connection.ops.get_db_converters(col) + col.get_db_converters(connection), col))
        for _name, output in self.extras:
            value = Value(None, output_field=output)
            columns.append((connection.ops.get_db_converters(value) + value.get_db_converters(connection), value))
        return columns

    def select_list(self, *extra_sql: str) -> str:
        """The columns of every part, then the extras' SQL (as many as `extras`)."""
        if len(extra_sql) != len(self.extras):
            raise ValueError("one SQL expression for each extra value")
        columns = [
            f"{part.alias}.{quote(field.column)}"
            for part, fields in zip(self.parts, self._fields, strict=True)
            for field in fields
        ]
        return ", ".join([*columns, *extra_sql])

    def convert(self, row) -> tuple[list[Model | None], dict]:
        """The instances a row holds (None where a LEFT JOIN found no row) and its extras by name."""
        values = list(row)
        for index, (converters, expression) in enumerate(self._converters):
            for converter in converters:
                values[index] = converter(values[index], expression, connection)
        instances: list[Model | None] = []
        start = 0
        for part, fields in zip(self.parts, self._fields, strict=True):
            chunk = values[start : start + len(fields)]
            start += len(fields)
            pk_index = fields.index(part.model._meta.pk)
            if chunk[pk_index] is None:
                instances.append(None)
            else:
                instances.append(part.model.from_db(connection.alias, [f.attname for f in fields], chunk))
        extras = {name: value for (name, _output), value in zip(self.extras, values[start:], strict=True)}
        return instances, extras


def insert(objs: list) -> list:
    """Saves new instances of one model with one `INSERT ... VALUES (...), (...) RETURNING` their keys, as
    `bulk_create` does (the same defaults, `auto_now_add` and value preparation, through each field), without the
    `UNNEST` form PostgreSQL's bulk_create takes for more than one row, whose arrays cost more than they save for a
    handful of rows. Without RETURNING rows (an old SQLite), it is bulk_create."""
    if not objs:
        return objs
    model = type(objs[0])
    if not connection.features.can_return_rows_from_bulk_insert:
        return model._default_manager.bulk_create(objs)
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert")  # an unsaved related object is refused
    pk = model._meta.pk
    fields = [field for field in model._meta.concrete_fields if field is not pk]
    rows = [[field.get_db_prep_save(field.pre_save(obj, add=True), connection) for field in fields] for obj in objs]
    one_row = f"({placeholders(len(fields))})"
    sql = (
        f"INSERT INTO {table(model)} ({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES {', '.join([one_row] * len(objs))} RETURNING {quote(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
        keys = cursor.fetchall()
    for obj, (key,) in zip(objs, keys, strict=True):
        setattr(obj, pk.attname, key)
        obj._state.adding, obj._state.db = False, connection.alias
    return objs
