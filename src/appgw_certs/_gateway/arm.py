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

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .arm_functions import (
    MAX_VALUE,
    TOO_LARGE,
    ArmError,
    TooLargeError,
    Unknown,
    call,
    member,
    quoted,
)

__all__ = [
    "BUDGET_SPENT",
    "MAX_CALLS",
    "MAX_PRODUCED",
    "ArmContext",
    "Unknown",
    "evaluate",
    "is_expression",
    "unwrap_parameters",
]

_MAX_DEPTH = 64
#: ARM's integers are 64-bit: 19 digits.
_MAX_DIGITS = 19
#: ARM itself refuses template expressions longer than this: not evaluated.
_MAX_EXPRESSION = 24_576
#: What one JSON value (number, list, object) counts toward MAX_VALUE: walking a node
#: is far more work than a character, and JSON spends a few characters on each anyway.
_NODE_SIZE = 32
#: Work one template may buy, whatever its shape: function calls evaluated, and
#: characters (or JSON nodes) they produce in all. Each value is already capped
#: at MAX_VALUE; these caps bound many values that each stay under it.
MAX_CALLS = 100_000
MAX_PRODUCED = 4 * MAX_VALUE
BUDGET_SPENT = ": the template's evaluation budget is spent"
_MISSING = object()


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
    _calls: int = field(default=0, repr=False)
    _produced: int = field(default=0, repr=False)

    def count_call(self) -> None:
        """Count a function call against the template's budget, before its work."""
        self._calls += 1
        self._check_budget()

    def count_output(self, result: object) -> None:
        """Count what a call produced against the template's budget."""
        if isinstance(result, str):
            self._produced += len(result)
        elif isinstance(result, Mapping | list):
            self._produced += _NODE_SIZE * (len(result) + 1)
        self._check_budget()

    def _check_budget(self) -> None:
        # Once spent, every later expression of this template becomes Unknown.
        if self._calls > MAX_CALLS or self._produced > MAX_PRODUCED:
            raise TooLargeError(BUDGET_SPENT)

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
            value = Unknown(f"{kind}('{name}'){TOO_LARGE}")
        self._resolved[key] = value
        return value


def unwrap_parameters(values: Mapping[str, object]) -> dict[str, object]:
    """Parameter values from ``name -> value``, ``name -> {"value": v}`` or a whole
    deployment parameters file (``{"parameters": {...}}``). Key Vault references
    (``{"reference": {...}}``) become :class:`Unknown`.
    """
    inner = values.get("parameters")
    if isinstance(inner, Mapping) and _is_parameters_file(values, inner):
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


def _is_parameters_file(values: Mapping[str, object], inner: Mapping[str, object]) -> bool:
    """Whether ``values`` is a parameters file rather than one parameter named
    ``parameters``: it has ``$schema`` or ``contentVersion``, or ``parameters`` is its
    only key and every value under it is ``{"value": ...}`` or ``{"reference": ...}``."""
    if "$schema" in values or "contentVersion" in values:
        return True

    def wrapped(value: object) -> bool:
        return isinstance(value, Mapping) and ("value" in value or "reference" in value)

    return len(values) == 1 and bool(inner) and all(map(wrapped, inner.values()))


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
        return Unknown(quoted(body))
    try:
        parser = _Parser(body, context)
        result = parser.parse()
    except TooLargeError as exc:
        return Unknown(quoted(body.strip()) + str(exc))
    except ArmError:
        return Unknown(quoted(body.strip()))
    except RecursionError:
        return Unknown(quoted(body.strip()))
    if _too_large(result):
        return Unknown(quoted(body.strip()) + TOO_LARGE)
    return result


def _too_large(value: object) -> bool:
    """Whether ``value`` written out passes :data:`MAX_VALUE` (shared parts count each
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
        return size(value) > MAX_VALUE
    except RecursionError:
        return True


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
                raise ArmError(f"cannot read {text[pos:]!r}")
            kind = match.lastgroup or ""
            tokens.append((kind, match.group(kind)))
            pos = match.end()
        return tokens

    def parse(self) -> object:
        value = self._expression()
        if self.pos != len(self.tokens):
            raise ArmError("trailing text")
        return value

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> tuple[str, str]:
        token = self._peek()
        if token is None or (expected is not None and token[1] != expected):
            raise ArmError(f"expected {expected or 'more'}")
        self.pos += 1
        return token

    def _expression(self) -> object:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise ArmError("nesting too deep")
        kind, text = self._take()
        if kind == "string":
            value: object = text[1:-1].replace("''", "'")
        elif kind == "number":
            if len(text.lstrip("-")) > _MAX_DIGITS:
                raise ArmError("number out of ARM's 64-bit range")
            value = int(text)
        elif kind == "name":
            value = self._call(text)
        else:
            raise ArmError(f"unexpected {text!r}")
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
                    raise ArmError("property name expected")
                value = member(value, prop)
            elif token == ("punct", "["):
                self._take("[")
                index = self._expression()
                self._take("]")
                value = member(value, index)
            else:
                return value


def _apply(name: str, args: list[object], context: ArmContext, spelled: str) -> object:
    # Every call counts, look-ups included: a value shared by reference is still work
    # for each place that uses it (the audit decodes and parses each one).
    context.count_call()
    if name in ("parameters", "variables"):
        if len(args) != 1:
            raise ArmError(f"{name}() takes one argument")
        result = context.lookup(name, args[0])
    else:
        result = call(name, args, spelled)
    context.count_output(result)
    return result


def _lower_keys(values: Mapping[str, object]) -> dict[str, object]:
    return {str(k).lower(): v for k, v in values.items()}
