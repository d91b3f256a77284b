"""What the pages (README.md and docs/) say about the code, checked against the code: every message a
page quotes in an `error: …` or `warning: …` code span is one the code prints, and every setting
(`pixverse:<key>`), environment variable (`USEAPI_*`, `PIXVERSE_*`) and file under docs/, tools/,
stacks/ or .github/ that a page names exists.

The code is the provider's package and the project's program (stacks/); its strings are its string
constants, f-strings and `str.format` templates (docstrings left out), each as literal parts between
placeholders, compared in lower case (the code capitalises a sentence's first letter). A quoted message
is one the code prints when no stretch of prose (two words in a row) in it is left unexplained by:
- a literal part of two words or more, anywhere (cut off where the page elides the rest with `…`);
- any literal part of a string whose literal parts all appear in the message, in order.
What is left is values: the page's `…`, ids, names, numbers, URLs, single words.
"""

from __future__ import annotations

import ast
import glob
import re
from functools import cache
from pathlib import Path

import pytest
import yaml
from pulumi_pixverse.client.config import SETTINGS

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGES = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]
CODE = [*(REPO_ROOT / "provider" / "pulumi_pixverse").rglob("*.py"), *(REPO_ROOT / "stacks").glob("*.py")]

ENGINE_PREFIX = "Preview failed: "
"""What the engine puts before a provider's message when a refresh or destroy fails at its preview."""
ENGINE_OWN = (
    "Could not automatically download and install resource plugin",
    "the stack is currently locked",
    "using pulumi-resource-",
    "could not read plugin",
)
"""The starts of the engine's own messages that pages quote: the Pulumi CLI prints them, not our code."""

_FENCED = re.compile(r"^ *```.*?^ *```", re.M | re.S)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_PROSE = re.compile(r"[A-Za-z]{2,} [A-Za-z]{2,}")
"""Two words in a row: prose, where a value (an id, a name, a number, a URL) has none."""
_PHRASE = re.compile(r"[a-z0-9]{2,} [a-z0-9]{2,}")
"""Two words in a row in the code's text (lower case, digits counted: `the v2 account`)."""
_SETTING = re.compile(r"(?<![\w:/.-])pixverse:([a-z][A-Za-z0-9]*)\b(?!:)")
_VARIABLE = re.compile(r"\b(?:USEAPI|PIXVERSE)_[A-Z0-9_]*[A-Z0-9]\b")
_PATH = re.compile(r"(?<![\w./~-])(?:docs|tools|stacks|\.github)/[\w./<>-]*[\w>]")
_FORMAT_FIELD = re.compile(r"\{[^{}]*\}")


def quoted_messages(text: str) -> list[str]:
    """The messages a page's text quotes in inline code spans (`` `error: …` ``, `` `warning: …` ``),
    whitespace collapsed, without the `error: ` or `warning: ` the CLI adds."""
    found = []
    for match in _CODE_SPAN.finditer(_FENCED.sub("", text)):
        span = " ".join(match.group(2).split())
        for level in ("error: ", "warning: "):
            if span.startswith(level):
                found.append(span.removeprefix(level))
    return found


@cache
def code_strings() -> tuple[tuple[str, ...], ...]:
    """Every string of the code as its literal parts in order (a placeholder between each two),
    whitespace collapsed as on a page, in lower case."""
    found: set[tuple[str, ...]] = set()
    for path in CODE:
        tree = ast.parse(path.read_text(), str(path))
        docstrings = {
            id(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                parts = _FORMAT_FIELD.split(node.value)
            elif isinstance(node, ast.JoinedStr):
                parts = [""]
                for value in node.values:
                    if isinstance(value, ast.Constant):
                        parts[-1] += str(value.value)
                    else:
                        parts.append("")
            else:
                continue
            found.add(tuple(re.sub(r"\s+", " ", part).lower() for part in parts))
    return tuple(found)


@cache
def _phrases() -> frozenset[str]:
    """The literal parts of two words or more: evidence wherever they appear."""
    return frozenset(part for parts in code_strings() for part in parts if _PHRASE.search(part))


@cache
def _skeletons() -> tuple[re.Pattern[str], ...]:
    """A pattern per string with a placeholder and a word: its literal parts in order, each a group."""
    patterns = []
    for parts in code_strings():
        literal = [part for part in parts if part]
        if len(parts) > 1 and any(re.search(r"[a-z]{2}", part) for part in literal):
            patterns.append(re.compile(".+?".join(f"({re.escape(part)})" for part in literal), re.S))
    return tuple(patterns)


def _at_word_edges(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] neither starts nor ends inside a word (where its own edge is a letter
    or digit)."""
    starts_inside = text[start].isalnum() and start > 0 and text[start - 1].isalnum()
    ends_inside = text[end - 1].isalnum() and end < len(text) and text[end].isalnum()
    return not starts_inside and not ends_inside


def _explained_spans(message: str) -> list[tuple[int, int]]:
    """The spans of `message` (lower case) that the code's strings account for."""
    spans = []
    for skeleton in _skeletons():
        for match in skeleton.finditer(message):
            groups = [match.span(g) for g in range(1, skeleton.groups + 1)]
            if all(_at_word_edges(message, *span) for span in groups if span[1] > span[0]):
                spans += groups
    offset = 0
    pieces = message.split("…")
    for index, piece in enumerate(pieces):
        for phrase in _phrases():
            found = [(m.start(), m.end()) for m in re.finditer(re.escape(phrase), piece)]
            cuts = [phrase[:n] for n in range(5, len(phrase)) if index < len(pieces) - 1]
            found += [(len(piece) - len(cut), len(piece)) for cut in cuts if piece.endswith(cut)]
            cuts = [phrase[-n:] for n in range(5, len(phrase)) if index > 0]
            found += [(0, len(cut)) for cut in cuts if piece.startswith(cut)]
            spans += [
                (offset + start, offset + end)
                for start, end in found
                if _PHRASE.search(piece[start:end]) and _at_word_edges(piece, start, end)
            ]
        offset += len(piece) + 1
    return spans


def unexplained(message: str) -> list[str]:
    """The stretches of prose in `message` that no string of the code accounts for."""
    kept = list(message)
    for start, end in _explained_spans(message.lower()):
        kept[start:end] = ["\x00"] * (end - start)
    stretches = "".join(kept).split("\x00")
    return [s[prose.start() :].rstrip(" .,:;(`") for s in stretches if (prose := _PROSE.search(s))]


def _relative(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT))


@pytest.mark.parametrize("page", PAGES, ids=_relative)
def test_every_message_a_page_quotes_is_one_the_code_prints(page: Path) -> None:
    problems = []
    for message in quoted_messages(page.read_text()):
        message = message.removeprefix(ENGINE_PREFIX)
        if message.startswith(ENGINE_OWN):
            continue
        problems += [f"{stretch!r} in {message!r}" for stretch in unexplained(message)]
    assert problems == [], f"{_relative(page)} quotes words no message of the code holds"


def test_the_check_tells_a_quoted_message_from_a_changed_one() -> None:
    """The spans a page quotes are found (one or two backticks, over a line break); the words of the
    code's timeout line pass, with the page's `…` and the values; a reworded one does not."""
    page = "at up: ``error: one `x` two``, or `warning: three\n  four` (`error:` alone is a word)"
    assert quoted_messages(page) == ["one `x` two", "three four"]
    quoted = (
        "creating the account on channel … failed: GET /v1/pixverse/account/…: no answer after 5 attempts"
    )
    assert unexplained(quoted + ": last cause timeout (…)") == []
    assert unexplained(quoted.replace("no answer", "nothing came back")) == [
        "nothing came back after 5 attempts"
    ]


def test_every_setting_a_page_names_exists() -> None:
    project = yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text())
    known = {setting.key for setting in SETTINGS} | set(project["config"])
    named = {(_relative(page), key) for page in PAGES for key in _SETTING.findall(page.read_text())}
    assert sorted((page, f"pixverse:{key}") for page, key in named if key not in known) == []


def test_every_environment_variable_a_page_names_is_read_by_the_code() -> None:
    sources = [p for root in ("provider/pulumi_pixverse", "tools") for p in (REPO_ROOT / root).rglob("*")]
    read = {
        name
        for path in sources
        if path.is_file() and "__pycache__" not in path.parts
        for name in _VARIABLE.findall(path.read_text(errors="replace"))
    }
    named = {(_relative(page), name) for page in PAGES for name in _VARIABLE.findall(page.read_text())}
    assert sorted((page, name) for page, name in named if name not in read) == []


def test_every_file_a_page_names_exists() -> None:
    """A path under docs/, tools/, stacks/ or .github/; a `<placeholder>` in it stands for any name."""
    missing = []
    for page in PAGES:
        for path in set(_PATH.findall(page.read_text())):
            pattern = re.sub(r"<[^>]*>", "*", path)
            if not glob.glob(pattern, root_dir=REPO_ROOT):
                missing.append((_relative(page), path))
    assert sorted(missing) == []
