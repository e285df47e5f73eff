"""The portal's words: Babel message catalogues (locale/{tr,en}/LC_MESSAGES/messages.po), read
at import into memory (no compiled .mo files in the repository). Message ids are English;
Turkish is the default language."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("tr", "en")
DEFAULT_LANGUAGE = "tr"


def N_(message: str) -> str:  # noqa: N802  (gettext's conventional name)
    """Marks a message id for the catalogue where the text is translated later (in a template)."""
    return message


def load(lang: str) -> dict[str, str]:
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalogue = read_po(fh, locale=lang)
    return {str(m.id): str(m.string) for m in catalogue if m.id and m.string}


CATALOGUES = {lang: load(lang) for lang in LANGUAGES}


def gettext(lang: str) -> Callable[..., str]:
    """`_(msgid, **values)` in `lang`: the catalogue's text (the id itself when missing), with
    `%(name)s` placeholders filled."""
    table = CATALOGUES.get(lang, CATALOGUES[DEFAULT_LANGUAGE])

    def _(message: str, **values: Any) -> str:
        text = table.get(message, message)
        return text % values if values else text

    return _


_LITERAL = r""""(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'"""
# The first argument of a _ or N_ call: one string literal, or several written side by side
# (Python joins them; long messages are wrapped so at 100 columns).
MESSAGE_CALL = re.compile(rf"""\bN?_\(\s*(?P<literals>(?:(?:{_LITERAL})\s*)+)""")


def message_ids(text: str) -> set[str]:
    """Message ids used in a template or module: the literal first argument of _ and N_ calls."""
    return {
        "".join(
            part[1:-1].replace("\\'", "'").replace('\\"', '"')
            for part in re.findall(_LITERAL, m.group("literals"))
        )
        for m in MESSAGE_CALL.finditer(text)
    }
