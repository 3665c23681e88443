"""One rule code: what it means, how bad it is, what to do, and the public page it rests on.

A rule is written with keywords only, so a title cannot be mistaken for a hint.
``source`` is the public page (with its section anchor where it has one) the
rule rests on, ``summary`` says in one line what that page says, and
``evidence`` says how firmly: the page states it, the REST API spec defines it,
a public issue reports it, or it is only inferred or unconfirmed.

What a user sees when the rule's problem reaches Azure is kept too:
``azure_code``, the error code Azure's API answers with (and
``azure_code_source``, the public page that shows it when that is not
``source``), and ``seen_as``, the exact portal, backend-health or
``sslClientVerify`` texts the rule predicts (:mod:`.seen`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .report import Severity

__all__ = ["Evidence", "Rule"]


class Evidence(StrEnum):
    """How firmly a rule's source supports it; :attr:`meaning` says it in a sentence."""

    DOCUMENTED = "documented"
    API_SPEC = "Azure API spec"
    PUBLIC_ISSUE = "reported in a public issue"
    INFERRED = "inferred"
    UNCONFIRMED = "unconfirmed"

    @property
    def meaning(self) -> str:
        """What the label says about the rule, for the docs."""
        return _MEANINGS[self]


_MEANINGS = {
    Evidence.DOCUMENTED: "Microsoft's documentation states it.",
    Evidence.API_SPEC: "Azure's REST API reference defines it; no guide describes the behaviour.",
    Evidence.PUBLIC_ISSUE: "A public GitHub issue reports the behaviour; no documentation "
    "states it.",
    Evidence.INFERRED: "Reasoned from documented facts; no page states the rule itself.",
    Evidence.UNCONFIRMED: "No public source settles it: an open question, checked with care.",
}


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One code of the registry.

    >>> from appgw_certs._findings.rules import RULES
    >>> RULES["CCA006"].evidence
    <Evidence.DOCUMENTED: 'documented'>
    """

    code: str
    severity: Severity
    scope: str  # a slot name, "any", "backend", "client" or "gateway"
    title: str
    hint: str
    source: str  # the public URL the rule rests on
    summary: str  # one line: what that page says that the rule rests on
    evidence: Evidence
    azure_code: str = ""  # the error code Azure answers with, where it has one
    azure_code_source: str = ""  # the public page showing azure_code, when not source
    seen_as: tuple[str, ...] = ()  # exact texts users see that this rule predicts

    @property
    def reference(self) -> str:
        """The URL a :class:`Finding` of this code points to: always :attr:`source`."""
        return self.source

    @property
    def azure_code_reference(self) -> str:
        """The public page where :attr:`azure_code` is shown ('' when there is none)."""
        if not self.azure_code:
            return ""
        return self.azure_code_source or self.source
