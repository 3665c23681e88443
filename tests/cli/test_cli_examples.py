"""Every verb's --help ends with examples, and every example parses with the real parser."""

from __future__ import annotations

import shlex

import pytest

from appgw_certs._cli.main import VERBS, build_parser
from appgw_certs._cli.options import EXAMPLES


def _verbs() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "verb")
    return sorted(action.choices)  # type: ignore[arg-type]


@pytest.mark.parametrize("verb", _verbs())
def test_every_verb_has_examples_at_the_end_of_its_help(
    verb: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert EXAMPLES.get(verb)
    with pytest.raises(SystemExit):
        build_parser().parse_args([verb, "--help"])
    help_text = capsys.readouterr().out
    assert help_text.rstrip().endswith(EXAMPLES[verb][-1])


@pytest.mark.parametrize(
    "example", [line for lines in EXAMPLES.values() for line in lines], ids=lambda s: s[:40]
)
def test_every_example_parses(example: str) -> None:
    command = example.rsplit("|", maxsplit=1)[-1].split(">", maxsplit=1)[
        0
    ]  # the appgw-certs part of a pipeline
    words = shlex.split(command)
    assert words[0] == "appgw-certs"
    parsed = build_parser().parse_args(words[1:])
    assert callable(parsed.run)


def test_every_verb_module_is_listed() -> None:
    assert len(VERBS) == len(_verbs())
