"""A response schema that dumps what marshmallow dumps, with less Python per field (issue 18, P2).

marshmallow spends five calls on every field of every object (`Field.serialize`, `get_value`,
`utils.get_value`, `_get_value_for_key` with its `hasattr`, then `_serialize`); the organisation
read dumps ~110 fields and they were a quarter of its CPU (docs/performance.md 1c). `FastOut`
works out once per schema instance how each of its fields is dumped and then takes the value with
one `getattr` (or `[]` on a mapping, exactly as marshmallow looks it up) and formats it inline for
the field types whose formatting is fixed: `String`, `Integer`, `Boolean`, `Raw`, `When`,
`Nested`, a `List` of `Raw` and a plain `Dict`, each as marshmallow formats it. Every other
field (`Computed`, any field with `attribute`, a dotted name or a `dump_default`, a subclass with
its own `_serialize`) is still dumped by its own `serialize`, so a schema's answer
is the same dict, key for key and value for value (shared/tests/test_shared_fast_dump.py compares
the two). Hooks (`pre_dump`, `post_dump`) run as before: only `Schema._serialize` is replaced.
"""

from __future__ import annotations

from marshmallow import Schema, fields, missing

from .responses import Out, When

_PASS = object()  # the value is dumped as it is (Raw, Boolean)


def _str(value):
    if value is None or type(value) is str:
        return value
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _int(value):
    return None if value is None else int(value)


def _fast_format(field):
    """The inline formatter of a plain field, `_PASS`, or None (dump it with field.serialize)."""
    if field.attribute is not None or field.dump_default is not missing:
        return None
    kind = type(field)
    if kind is fields.String:
        return _str
    if kind is fields.Integer and not field.as_string:
        return _int
    if kind in (fields.Boolean, fields.Raw):
        return _PASS
    if isinstance(field, When) and kind._serialize is When._serialize:
        fmt = field.fmt
        return lambda value: value if value is None or isinstance(value, str) else fmt(value)
    if kind is fields.List and type(field.inner) is fields.Raw:
        return lambda value: None if value is None else list(value)
    if kind is fields.Dict and field.key_field is None and field.value_field is None:
        return lambda value: None if value is None else dict(value)
    if kind is fields.Nested and not isinstance(field.nested, str):

        def nested(value):
            if value is None:
                return None
            schema = field.schema
            return schema.dump(value, many=schema.many or field.many)

        return nested
    return None


class FastOut(Out):
    """An `Out` whose dump takes the short way for its plain fields (see the module)."""

    _plan: tuple | None = None

    def _fast_plan(self) -> tuple:
        plan = []
        own_accessor = type(self).get_attribute is not Schema.get_attribute
        for attr_name, field in self.dump_fields.items():
            key = field.data_key if field.data_key is not None else attr_name
            fmt = None if own_accessor or "." in attr_name else _fast_format(field)
            plan.append((attr_name, key, field, fmt))
        self._plan = tuple(plan)
        return self._plan

    def _serialize(self, obj, *, many: bool = False):
        if many and obj is not None:
            return [self._serialize(d, many=False) for d in obj]
        plan = self._plan or self._fast_plan()
        ret = self.dict_class()
        keyed = hasattr(obj, "__getitem__")  # marshmallow tries obj[key] first on such objects
        accessor = self.get_attribute
        for attr_name, key, field, fmt in plan:
            if fmt is None:
                value = field.serialize(attr_name, obj, accessor=accessor)
                if value is not missing:
                    ret[key] = value
                continue
            if keyed:
                try:
                    value = obj[attr_name]
                except (KeyError, IndexError, TypeError, AttributeError):
                    value = getattr(obj, attr_name, missing)
            else:
                value = getattr(obj, attr_name, missing)
            if value is missing:
                continue
            # the commonest cases inline, as _str and _int would answer them
            if fmt is _PASS or value is None or (fmt is _str and type(value) is str):
                ret[key] = value
            elif fmt is _int and type(value) is int:
                ret[key] = value
            else:
                ret[key] = fmt(value)
        return ret
