"""FastOut dumps exactly what marshmallow's own dump gives for the same schema (issue 18, P2):
plain objects, mappings, a missing attribute, None, values of another type than the field's,
nested schemas, computed fields, `data_key`, `attribute`, `dump_default` and pre/post hooks."""

from datetime import UTC, datetime

from marshmallow import fields, post_dump, pre_dump

from imatter_shared.web.fast_dump import FastOut
from imatter_shared.web.responses import Computed, Int, Opt, Out, Str, When


def _pair(name, attrs):
    """The same declared fields on FastOut and on Out."""
    return type(name + "Fast", (FastOut,), dict(attrs)), type(name + "Slow", (Out,), dict(attrs))


class Obj:
    def __init__(self, **kw):
        self.__dict__.update(kw)


class Keyed(Obj):
    """An object with __getitem__ that raises for unknown keys: marshmallow falls back to getattr."""

    def __getitem__(self, key):
        if key == "name":
            return "from getitem"
        raise KeyError(key)


def _schemas():
    inner_fast, inner_slow = _pair("Inner", {"code": Str(), "n": Int(), "ok": fields.Boolean()})
    fields_of = {
        "id": Str(),
        "name": Str(),
        "count": Int(),
        "flag": fields.Boolean(),
        "raw": fields.Raw(),
        "missing_one": Str(),
        "renamed": Str(data_key="shown_as"),
        "aliased": Str(attribute="hidden"),
        "defaulted": Str(dump_default="dflt"),
        "as_text": fields.Integer(as_string=True),
        "nullable": Opt(fields.Integer),
        "when": When(),
        "things": fields.List(fields.Raw()),
        "mapping": fields.Dict(),
        "computed": Computed(lambda o: "computed " + str(getattr(o, "id", None) or o.get("id"))),
    }

    class Hooks:
        @pre_dump
        def _pre(self, obj, **kw):
            return obj

        @post_dump
        def _post(self, data, **kw):
            data["post"] = True
            return data

    fast = type(
        "OuterFast",
        (FastOut, Hooks),
        {**fields_of, "inner": fields.Nested(inner_fast), "inners": fields.Nested(inner_fast, many=True)},
    )
    slow = type(
        "OuterSlow",
        (Out, Hooks),
        {**fields_of, "inner": fields.Nested(inner_slow), "inners": fields.Nested(inner_slow, many=True)},
    )
    return fast(), slow()


def _values():
    when = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)
    base = {
        "id": "a1",
        "name": "Fictional",
        "count": "7",
        "flag": 0,
        "raw": {"x": [1]},
        "renamed": 5,
        "defaulted": None,
        "as_text": 3,
        "nullable": None,
        "when": when,
        "things": ["p", 2],
        "mapping": {"k": "v"},
        "hidden": 42,
        "inner": {"code": b"bytes", "n": 2.9, "ok": "yes"},
        "inners": [{"code": "a", "n": 1}, Obj(code=None, n="3", ok=False)],
    }
    yield base
    yield Obj(**base)
    yield Keyed(**{**base, "inner": Obj(code=1, n=None, ok=True)})
    yield Obj(id=9, name=None, count=None, flag=None, inner=None, when=None, things=None, mapping=None)
    yield {"id": "only"}


def test_fast_dump_equals_marshmallow_dump():
    fast, slow = _schemas()
    for value in _values():
        assert fast.dump(value) == slow.dump(value)
    many = list(_values())
    assert fast.dump(many, many=True) == slow.dump(many, many=True)


def test_fast_dump_keeps_key_order():
    fast, slow = _schemas()
    value = next(iter(_values()))
    assert list(fast.dump(value)) == list(slow.dump(value))


def test_only_and_exclude_are_respected():
    fast_cls, slow_cls = _pair("Small", {"a": Str(), "b": Int(), "c": Str()})
    value = Obj(a="x", b=1, c="z")
    assert (
        fast_cls(only=("a", "b")).dump(value) == slow_cls(only=("a", "b")).dump(value) == {"a": "x", "b": 1}
    )
    assert fast_cls(exclude=("a",)).dump(value) == slow_cls(exclude=("a",)).dump(value)
