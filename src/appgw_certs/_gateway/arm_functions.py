"""The functions of ARM template expressions that can be evaluated offline.

Each takes the evaluated arguments and returns a value, or raises
:class:`ArmError` (the expression then becomes :class:`Unknown`). Values are
bounded by ARM's own 4 MB template limit before they are built.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = [
    "MAX_VALUE",
    "TOO_LARGE",
    "ArmError",
    "TooLargeError",
    "Unknown",
    "call",
    "member",
    "quoted",
]

#: ``subscription()`` and ``resourceGroup()`` cannot be known offline; ids built
#: from them keep these placeholders in front, which the audit never reads
#: (only the trailing ``applicationGateways/<gw>/<collection>/<name>`` matters).
_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
_RESOURCE_GROUP = "{resourceGroup}"
#: ARM limits a template to 4 MB after expansion: no value evaluated here is larger
#: (variables that double each other would otherwise take all memory, or forever).
MAX_VALUE = 4 * 1024 * 1024
#: How much of an expression an Unknown quotes (a long accessor chain must not grow it).
_MAX_QUOTED = 1_000


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known offline; ``expression`` says which.

    >>> Unknown("reference('kv')")
    Unknown(expression="reference('kv')")
    """

    expression: str

    def __repr__(self) -> str:
        return f"Unknown(expression={self.expression!r})"


class ArmError(Exception):
    """Syntax the evaluator does not handle; the expression becomes Unknown."""


class TooLargeError(ArmError):
    """A value that would pass ARM's 4 MB limit; not built."""


TOO_LARGE = ": larger than ARM's 4 MB template limit"


def _check_size(size: int) -> None:
    if size > MAX_VALUE:
        raise TooLargeError(TOO_LARGE)


def quoted(expression: str) -> str:
    if len(expression) <= _MAX_QUOTED:
        return expression
    return expression[: _MAX_QUOTED - 1] + "…"


def member(value: object, key: object) -> object:
    if isinstance(value, Unknown):
        return Unknown(quoted(f"{value.expression}.{key}"))
    if isinstance(value, Mapping) and isinstance(key, str):
        for k, v in value.items():
            if str(k).lower() == key.lower():
                return v
        return Unknown(f"property {key!r}")
    if isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
        return value[key]
    raise ArmError(f"no member {key!r}")


def call(name: str, args: list[object], spelled: str) -> object:
    """``name(args...)`` for a function that needs no template context; ``spelled``
    is the name as written, for the Unknown of a function not evaluated offline."""
    if name == "if":
        return _if(args)
    function = _FUNCTIONS.get(name)
    if function is None:
        return Unknown(f"{spelled}(...)")
    unknown = next((a for a in args if isinstance(a, Unknown)), None)
    if unknown is not None:
        return unknown
    try:
        return function(args)
    except ArmError:
        raise
    except (ValueError, TypeError, IndexError, KeyError, binascii.Error, UnicodeError) as exc:
        raise ArmError(str(exc)) from exc


def _if(args: list[object]) -> object:
    if len(args) != 3:
        raise ArmError("if() takes three arguments")
    condition = args[0]
    if isinstance(condition, bool):
        return args[1] if condition else args[2]
    return Unknown("if() on a value not known offline")


def _strings(args: list[object], count: int | None = None) -> list[str]:
    if count is not None and len(args) != count:
        raise ArmError(f"expected {count} arguments")
    if not all(isinstance(a, str) for a in args):
        raise ArmError("expected strings")
    return [str(a) for a in args]


def _concat(args: list[object]) -> object:
    if args and all(isinstance(a, list) for a in args):
        return [item for a in args if isinstance(a, list) for item in a]
    texts = [_scalar_text(a) for a in args]
    _check_size(sum(map(len, texts)))
    return "".join(texts)


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str | int):
        return str(value)
    raise ArmError("concat of a non-scalar")


_FORMAT_ITEM = re.compile(r"\{\{|\}\}|\{(\d+)(?:,\s*-?\d+)?(?::[^}]*)?\}")


def _format(args: list[object]) -> object:
    if not args or not isinstance(args[0], str):
        raise ArmError("format() needs a format string")
    template, values = args[0], args[1:]
    total = [len(template)]

    def item(match: re.Match[str]) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        if ":" in match.group(0) or "," in match.group(0):
            raise ArmError("format specifiers are not evaluated offline")
        text = _scalar_text(values[int(match.group(1))])
        total[0] += len(text)
        _check_size(total[0])  # before the pieces are joined
        return text

    return _FORMAT_ITEM.sub(item, template)


def _resource_id(args: list[object]) -> object:
    """``resourceId([subscriptionId,] [resourceGroupName,] type, name...)``.

    Only the type and the trailing names are kept; the prefix is a placeholder.
    """
    texts = _strings(args)
    type_index = next((i for i, t in enumerate(texts) if "/" in t and "." in t.split("/")[0]), None)
    if type_index is None:
        raise ArmError("resourceId() without a resource type")
    namespace, *types = texts[type_index].split("/")
    names = texts[type_index + 1 :]
    if len(names) != len(types):
        raise ArmError("resourceId(): names do not match the type's segments")
    path = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
    return (
        f"/subscriptions/{_SUBSCRIPTION_ID}/resourceGroups/{_RESOURCE_GROUP}"
        f"/providers/{namespace}/{path}"
    )


def _base64(text: str) -> str:
    data = text.encode("utf-8")
    _check_size(4 * ((len(data) + 2) // 3))  # before it is built: each level grows it by 4/3
    return base64.b64encode(data).decode("ascii")


def _base64_to_string(args: list[object]) -> object:
    (text,) = _strings(args, 1)
    return base64.b64decode(text, validate=True).decode("utf-8")


def _replace(text: str, old: str, new: str) -> str:
    count = text.count(old) if old else len(text) + 1
    _check_size(len(text) + count * (len(new) - len(old)))
    return text.replace(old, new)


def _equals(args: list[object]) -> object:
    if len(args) != 2:
        raise ArmError("equals() takes two arguments")
    return args[0] == args[1]


def _not(args: list[object]) -> object:
    if len(args) != 1 or not isinstance(args[0], bool):
        raise ArmError("not() takes one boolean")
    return not args[0]


_FUNCTIONS: dict[str, Callable[[list[object]], object]] = {
    "concat": _concat,
    "format": _format,
    "tolower": lambda a: _strings(a, 1)[0].lower(),
    "toupper": lambda a: _strings(a, 1)[0].upper(),
    "replace": lambda a: _replace(*_strings(a, 3)),
    "base64": lambda a: _base64(_strings(a, 1)[0]),
    "base64tostring": _base64_to_string,
    "string": lambda a: a[0] if isinstance(a[0], str) else _scalar_text(a[0]),
    "resourceid": _resource_id,
    "equals": _equals,
    "not": _not,
    "true": lambda a: True,
    "false": lambda a: False,
    "null": lambda a: None,
    "subscription": lambda a: {
        "id": f"/subscriptions/{_SUBSCRIPTION_ID}",
        "subscriptionId": _SUBSCRIPTION_ID,
    },
    "resourcegroup": lambda a: {
        "id": f"/subscriptions/{_SUBSCRIPTION_ID}/resourceGroups/{_RESOURCE_GROUP}",
        "name": _RESOURCE_GROUP,
    },
}
