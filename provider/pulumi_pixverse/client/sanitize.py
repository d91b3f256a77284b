"""What may reach a user's terminal: text from the service made one printable line, and every
credential the process knows redacted.

The process keeps the credentials it has handled (the API token of each transport, the Discord
tokens, passwords and tokens of the accounts it checks, writes or reads): `remember_secret` adds one,
`redact` replaces each, also JSON-escaped or URL-encoded, wherever it appears. Every message built
from what the service said goes through `service_words`; every failure shown to a user through
`redact`. A command's line that quotes the service or a stack's state (an account's channel or email,
a resource's name: the audit's table, adopt's and migrate's messages, their failure lines) goes
through `service_words` too, with `LINE_LIMIT`: no escape sequence or line break reaches a terminal or
a pipeline's summary.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from urllib.parse import quote

HIDDEN = "<hidden>"
SHORTEST_SECRET = 4
"""Shorter strings are not remembered: hiding them would garble every message and protect nothing
(the models refuse no credential for its length; the service's tokens are far longer)."""
SERVICE_WORDS_LIMIT = 300
"""Characters of the service's own words a message quotes at most."""
LINE_LIMIT = 1000
"""Characters of a whole line a command prints at most (its quotes of the service are capped already)."""

_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: titles, hyperlinks
    r"|\x1b[@-Z\\-_]"  # other two-character escapes
)
_WHITESPACE = re.compile(r"\s+")
_UNPRINTABLE = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})
"""Unicode categories never shown as they are: controls, format (bidi, zero-width), private, surrogates."""

_forms: set[str] = set()
_longest_first: tuple[str, ...] | None = ()
_lock = threading.Lock()


def remember_secret(value: object) -> None:
    """Redact `value` (a string of SHORTEST_SECRET or more characters; anything else is ignored) from
    every later message."""
    global _longest_first
    if not isinstance(value, str) or len(value.strip()) < SHORTEST_SECRET or value in _forms:
        return
    with _lock:
        _forms.update({value, json.dumps(value)[1:-1], quote(value, safe=""), quote(value)})
        _longest_first = None


def redact(text: str) -> str:
    """`text` with every remembered credential replaced by HIDDEN."""
    global _longest_first
    with _lock:
        if _longest_first is None:  # sorted once after new secrets, not at each (frequent) remember
            _longest_first = tuple(sorted(_forms, key=len, reverse=True))
        forms = _longest_first
    for form in forms:  # longest first, so a secret that contains another is hidden whole
        if form in text:
            text = text.replace(form, HIDDEN)
    return text


def one_line(text: str, limit: int = SERVICE_WORDS_LIMIT) -> str:
    """`text` as one printable line of at most `limit` characters: escape sequences removed, line
    breaks and runs of whitespace made one space, other control and format characters (bidi
    overrides, zero-width characters, NUL...) shown escaped as \\uXXXX."""
    return _capped(_printable(text), limit)


def service_words(text: str, limit: int = SERVICE_WORDS_LIMIT) -> str:
    """What the service said, or a line that quotes it or a stack's state, fit to show: one printable
    line of at most `limit` characters (as `one_line`) with every credential redacted (before and after
    the line is cleaned, so no escape sequence can split one out of sight)."""
    return _capped(redact(_printable(redact(text))), limit)


def _printable(text: str) -> str:
    text = _WHITESPACE.sub(" ", _ESCAPE_SEQUENCE.sub("", text)).strip()
    return "".join(
        f"\\u{ord(char):04x}" if unicodedata.category(char) in _UNPRINTABLE else char for char in text
    )


def _capped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
