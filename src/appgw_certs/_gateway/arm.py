"""A small, safe evaluator for ARM template expressions (``"[concat(...)]"``).

An ARM template writes values as expressions that Azure evaluates at deployment.
To audit a template offline, the few functions whose result depends only on the
template and its parameters are evaluated here; everything else (``reference()``,
``uniqueString()``, ``utcNow()``, list functions, Key Vault parameter references,
parameters without a value) becomes :class:`Unknown`, which the audit reports as
"could not be known offline" instead of guessing.

Safe: no ``eval``, no recursion without a bound, no network, no file access.

    >>> ctx = ArmContext.from_template({"parameters": {"n": {"defaultValue": "gw"}}})
    >>> evaluate("[concat(parameters('n'), '-cert')]", ctx)
    'gw-cert'
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = ["ArmContext", "Unknown", "evaluate", "is_expression"]

#: ``subscription()`` and ``resourceGroup()`` cannot be known offline; ids built
#: from them keep these placeholders in front, which the audit never reads
#: (only the trailing ``applicationGateways/<gw>/<collection>/<name>`` matters).
_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
_RESOURCE_GROUP = "{resourceGroup}"
_MAX_DEPTH = 64
#: ARM itself refuses template expressions longer than this: not evaluated.
_MAX_EXPRESSION = 24_576
#: ARM limits a template to 4 MB after expansion: no value evaluated here is larger
#: (variables that double each other would otherwise take all memory, or forever).
_MAX_VALUE = 4 * 1024 * 1024
#: What one JSON value (number, list, object) counts toward it: walking a node costs
#: far more than a character, and JSON spends a few characters on each anyway.
_NODE_SIZE = 32
#: How much of an expression an Unknown quotes (a long accessor chain must not grow it).
_MAX_QUOTED = 1_000
_MISSING = object()


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known offline; ``expression`` says which.

    >>> Unknown("reference('kv')")
    Unknown(expression="reference('kv')")
    """

    expression: str

    def __repr__(self) -> str:
        return f"Unknown(expression={self.expression!r})"


@dataclass
class ArmContext:
    """Parameters and variables of one template, evaluated lazily.

    ``parameter_values`` are what a parameters file (or the caller) supplies:
    plain values, ``{"value": ...}``, or a Key Vault ``{"reference": ...}``
    (unknown offline). Template ``defaultValue`` fills the rest.

        >>> ArmContext.from_template(template, {"certPassword": "secret1"})
    """

    parameters: Mapping[str, object] = field(default_factory=dict)
    variables: Mapping[str, object] = field(default_factory=dict)
    _resolved: dict[tuple[str, str], object] = field(default_factory=dict, repr=False)
    _resolving: set[tuple[str, str]] = field(default_factory=set, repr=False)

    @classmethod
    def from_template(
        cls, template: Mapping[str, object], parameter_values: Mapping[str, object] | None = None
    ) -> ArmContext:
        """A context from a template's ``parameters``/``variables`` and supplied values."""
        supplied = _lower_keys(unwrap_parameters(parameter_values or {}))
        template = _lower_keys(template)
        declared = template.get("parameters")
        params: dict[str, object] = {}
        if isinstance(declared, Mapping):
            for name, spec in declared.items():
                key = str(name).lower()
                if key in supplied:
                    params[key] = supplied[key]
                elif isinstance(spec, Mapping):
                    default = _lower_keys(spec).get("defaultvalue", _MISSING)
                    if default is not _MISSING:
                        params[key] = default
        for key, value in supplied.items():
            params.setdefault(key, value)
        variables = template.get("variables")
        return cls(
            parameters=params,
            variables=_lower_keys(variables) if isinstance(variables, Mapping) else {},
        )

    def lookup(self, kind: str, name: object) -> object:
        """The evaluated value of ``parameters(name)`` or ``variables(name)``."""
        if not isinstance(name, str):
            return Unknown(f"{kind}({name!r})")
        key = (kind, name.lower())
        if key in self._resolved:
            return self._resolved[key]
        table = self.parameters if kind == "parameters" else self.variables
        if key[1] not in table or key in self._resolving:
            return Unknown(f"{kind}('{name}')")
        self._resolving.add(key)
        try:
            value = evaluate(table[key[1]], self)
        finally:
            self._resolving.discard(key)
        if _too_large(value):
            value = Unknown(f"{kind}('{name}'){_TOO_LARGE}")
        self._resolved[key] = value
        return value


def unwrap_parameters(values: Mapping[str, object]) -> dict[str, object]:
    """Parameter values from ``name -> value``, ``name -> {"value": v}`` or a whole
    deployment parameters file (``{"parameters": {...}}``). Key Vault references
    (``{"reference": {...}}``) become :class:`Unknown`.
    """
    inner = values.get("parameters")
    if isinstance(inner, Mapping) and ("$schema" in values or "contentVersion" in values):
        values = inner
    result: dict[str, object] = {}
    for name, value in values.items():
        if isinstance(value, Mapping) and "value" in value:
            result[str(name)] = value["value"]
        elif isinstance(value, Mapping) and "reference" in value:
            result[str(name)] = Unknown(f"Key Vault reference for parameter '{name}'")
        else:
            result[str(name)] = value
    return result


def is_expression(text: str) -> bool:
    """Whether a template string is an expression (``[...]``, not the ``[[`` escape)."""
    return len(text) >= 2 and text[0] == "[" and text[-1] == "]" and text[1] != "["


def evaluate(value: object, context: ArmContext, _depth: int = 0) -> object:
    """``value`` with every expression string in it evaluated (dicts and lists walked).

    Strings that cannot be evaluated become :class:`Unknown`; nothing raises.
    """
    if _depth > _MAX_DEPTH:
        return Unknown("nesting too deep")
    if isinstance(value, str):
        return _evaluate_string(value, context)
    if isinstance(value, Mapping):
        return {k: evaluate(v, context, _depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [evaluate(v, context, _depth + 1) for v in value]
    return value


def _evaluate_string(text: str, context: ArmContext) -> object:
    if text.startswith("[["):
        return text[1:]
    if not is_expression(text):
        return text
    body = text[1:-1]
    if len(body) > _MAX_EXPRESSION:
        return Unknown(_quoted(body))
    try:
        parser = _Parser(body, context)
        result = parser.parse()
    except _TooLarge:
        return Unknown(_quoted(body.strip()) + _TOO_LARGE)
    except _ArmError:
        return Unknown(_quoted(body.strip()))
    except RecursionError:
        return Unknown(_quoted(body.strip()))
    if _too_large(result):
        return Unknown(_quoted(body.strip()) + _TOO_LARGE)
    return result


def _too_large(value: object) -> bool:
    """Whether ``value`` written out passes :data:`_MAX_VALUE` (shared parts count each
    time they appear, as they would in the expanded template)."""
    sizes: dict[int, int] = {}

    def size(item: object) -> int:
        if isinstance(item, str):
            return len(item)
        if not isinstance(item, Mapping | list):
            return _NODE_SIZE
        known = sizes.get(id(item))
        if known is None:
            children = item.values() if isinstance(item, Mapping) else item
            known = sizes[id(item)] = _NODE_SIZE + sum(size(child) for child in children)
        return known

    try:
        return size(value) > _MAX_VALUE
    except RecursionError:
        return True


def _check_size(size: int) -> None:
    if size > _MAX_VALUE:
        raise _TooLarge(_TOO_LARGE)


def _quoted(expression: str) -> str:
    if len(expression) <= _MAX_QUOTED:
        return expression
    return expression[: _MAX_QUOTED - 1] + "…"


class _ArmError(Exception):
    """Syntax the evaluator does not handle; the expression becomes Unknown."""


class _TooLarge(_ArmError):
    """A value that would pass ARM's 4 MB limit; not built."""


_TOO_LARGE = ": larger than ARM's 4 MB template limit"


_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+)"
    # a function name has at most one dot (namespace.function): a lazy [\w.]*? scanned
    # the whole rest of "a.b.c.d..." at every token (quadratic)
    r"|(?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?(?=\s*\()|[A-Za-z_]\w*)"
    r"|(?P<punct>[(),.\[\]]))"
)


_TRAILING_SPACE = re.compile(r"\s*\Z")


class _Parser:
    """Recursive-descent parser that evaluates as it goes (ARM expressions are tiny)."""

    def __init__(self, text: str, context: ArmContext) -> None:
        self.tokens = self._tokenize(text)
        self.pos = 0
        self.context = context
        self.text = text.strip()
        self.depth = 0

    @staticmethod
    def _tokenize(text: str) -> list[tuple[str, str]]:
        tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            if _TRAILING_SPACE.match(text, pos):  # not text[pos:].strip(): a copy per token
                break
            match = _TOKEN.match(text, pos)
            if match is None or match.end() == pos:
                raise _ArmError(f"cannot read {text[pos:]!r}")
            kind = match.lastgroup or ""
            tokens.append((kind, match.group(kind)))
            pos = match.end()
        return tokens

    def parse(self) -> object:
        value = self._expression()
        if self.pos != len(self.tokens):
            raise _ArmError("trailing text")
        return value

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> tuple[str, str]:
        token = self._peek()
        if token is None or (expected is not None and token[1] != expected):
            raise _ArmError(f"expected {expected or 'more'}")
        self.pos += 1
        return token

    def _expression(self) -> object:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _ArmError("nesting too deep")
        kind, text = self._take()
        if kind == "string":
            value: object = text[1:-1].replace("''", "'")
        elif kind == "number":
            value = int(text)
        elif kind == "name":
            value = self._call(text)
        else:
            raise _ArmError(f"unexpected {text!r}")
        value = self._accessors(value)
        self.depth -= 1
        return value

    def _call(self, name: str) -> object:
        self._take("(")
        args: list[object] = []
        if self._peek() != ("punct", ")"):
            args.append(self._expression())
            while self._peek() == ("punct", ","):
                self._take(",")
                args.append(self._expression())
        self._take(")")
        return _apply(name.lower(), args, self.context, name)

    def _accessors(self, value: object) -> object:
        while True:
            token = self._peek()
            if token == ("punct", "."):
                self._take(".")
                kind, prop = self._take()
                if kind != "name":
                    raise _ArmError("property name expected")
                value = _member(value, prop)
            elif token == ("punct", "["):
                self._take("[")
                index = self._expression()
                self._take("]")
                value = _member(value, index)
            else:
                return value


def _member(value: object, key: object) -> object:
    if isinstance(value, Unknown):
        return Unknown(_quoted(f"{value.expression}.{key}"))
    if isinstance(value, Mapping) and isinstance(key, str):
        for k, v in value.items():
            if str(k).lower() == key.lower():
                return v
        return Unknown(f"property {key!r}")
    if isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
        return value[key]
    raise _ArmError(f"no member {key!r}")


def _apply(name: str, args: list[object], context: ArmContext, spelled: str) -> object:
    if name in ("parameters", "variables"):
        if len(args) != 1:
            raise _ArmError(f"{name}() takes one argument")
        return context.lookup(name, args[0])
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
    except _ArmError:
        raise
    except (ValueError, TypeError, IndexError, KeyError, binascii.Error, UnicodeError) as exc:
        raise _ArmError(str(exc)) from exc


def _if(args: list[object]) -> object:
    if len(args) != 3:
        raise _ArmError("if() takes three arguments")
    condition = args[0]
    if isinstance(condition, bool):
        return args[1] if condition else args[2]
    return Unknown("if() on a value not known offline")


def _strings(args: list[object], count: int | None = None) -> list[str]:
    if count is not None and len(args) != count:
        raise _ArmError(f"expected {count} arguments")
    if not all(isinstance(a, str) for a in args):
        raise _ArmError("expected strings")
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
    raise _ArmError("concat of a non-scalar")


_FORMAT_ITEM = re.compile(r"\{\{|\}\}|\{(\d+)(?:,\s*-?\d+)?(?::[^}]*)?\}")


def _format(args: list[object]) -> object:
    if not args or not isinstance(args[0], str):
        raise _ArmError("format() needs a format string")
    template, values = args[0], args[1:]
    total = [len(template)]

    def item(match: re.Match[str]) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        if ":" in match.group(0) or "," in match.group(0):
            raise _ArmError("format specifiers are not evaluated offline")
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
        raise _ArmError("resourceId() without a resource type")
    namespace, *types = texts[type_index].split("/")
    names = texts[type_index + 1 :]
    if len(names) != len(types):
        raise _ArmError("resourceId(): names do not match the type's segments")
    path = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
    return (
        f"/subscriptions/{_SUBSCRIPTION_ID}/resourceGroups/{_RESOURCE_GROUP}"
        f"/providers/{namespace}/{path}"
    )


def _base64_to_string(args: list[object]) -> object:
    (text,) = _strings(args, 1)
    return base64.b64decode(text, validate=True).decode("utf-8")


def _replace(text: str, old: str, new: str) -> str:
    count = text.count(old) if old else len(text) + 1
    _check_size(len(text) + count * (len(new) - len(old)))
    return text.replace(old, new)


def _equals(args: list[object]) -> object:
    if len(args) != 2:
        raise _ArmError("equals() takes two arguments")
    return args[0] == args[1]


def _not(args: list[object]) -> object:
    if len(args) != 1 or not isinstance(args[0], bool):
        raise _ArmError("not() takes one boolean")
    return not args[0]


_FUNCTIONS: dict[str, Callable[[list[object]], object]] = {
    "concat": _concat,
    "format": _format,
    "tolower": lambda a: _strings(a, 1)[0].lower(),
    "toupper": lambda a: _strings(a, 1)[0].upper(),
    "replace": lambda a: _replace(*_strings(a, 3)),
    "base64": lambda a: base64.b64encode(_strings(a, 1)[0].encode("utf-8")).decode("ascii"),
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


def _lower_keys(values: Mapping[str, object]) -> dict[str, object]:
    return {str(k).lower(): v for k, v in values.items()}
