"""The portal's words come from its Babel catalogues: every message id used in a template or a
portal module is in the Turkish and the English catalogue, translated, with the same
placeholders; no catalogue keeps ids nobody uses; no .mo file is kept."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from mahrem.entrypoints.web import i18n

WEB = Path(i18n.__file__).parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _used() -> set[str]:
    files = [*WEB.glob("templates/*.html"), *WEB.glob("*.py")]
    return set().union(*(i18n.message_ids(f.read_text()) for f in files))


def _catalogue(lang: str) -> dict[str, str]:
    with open(WEB / "locale" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return {str(m.id): str(m.string) for m in read_po(fh) if m.id}


def test_every_message_in_the_templates_is_translated_in_both_catalogues() -> None:
    used = _used()
    assert len(used) > 200
    for lang in i18n.LANGUAGES:
        catalogue = _catalogue(lang)
        assert sorted(used - {k for k, v in catalogue.items() if v}) == [], lang
        assert sorted(set(catalogue) - used) == [], f"{lang}: ids no template uses"
        wrong = [
            k for k in used if set(PLACEHOLDER.findall(k)) != set(PLACEHOLDER.findall(catalogue[k]))
        ]
        assert wrong == [], lang


def test_turkish_is_the_default_and_english_is_the_switch() -> None:
    assert i18n.DEFAULT_LANGUAGE == "tr"
    assert i18n.gettext("tr")("Log in") == "Giriş yap"
    assert i18n.gettext("en")("Log in") == "Log in"
    assert i18n.gettext("xx")("Welcome, %(name)s", name="Ayşe") == "Hoş geldiniz, Ayşe"


def test_the_extractor_finds_both_quote_styles_and_the_marker() -> None:
    text = """{{ _("Hide") }} {{ _('Revoke %(name)s', name=x) }} N_("Laboratory") _(label)"""
    assert i18n.message_ids(text) == {"Hide", "Revoke %(name)s", "Laboratory"}


def test_no_compiled_catalogue_is_kept() -> None:
    assert list(WEB.glob("locale/**/*.mo")) == []
