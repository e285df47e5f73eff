"""Maskeleme (M4/1-p) of identifiers on printed results (M5/5)."""

from __future__ import annotations

from datetime import date

import pytest

from mahrem.domain.errors import InputError
from mahrem.domain.masking import (
    MODES,
    MaskingConfig,
    mask_address,
    mask_birth_date,
    mask_name,
    mask_phone,
    mask_tckn,
    masked_identity,
    tr_lower,
    tr_upper,
)


def test_turkish_upper_case_dots_the_i_and_undots_the_dotless_i() -> None:
    assert tr_upper("i") == "İ"
    assert tr_upper("ı") == "I"
    assert tr_upper("ilkay ışıkoğlu") == "İLKAY IŞIKOĞLU"
    assert "i".upper() == "I"  # why the helper exists


def test_turkish_lower_case_keeps_one_code_point_per_letter() -> None:
    assert tr_lower("İ") == "i" and tr_lower("I") == "ı"
    assert tr_lower("İLKAY IŞIKOĞLU") == "ilkay ışıkoğlu"
    assert len(tr_lower("İ")) == 1 and len("İ".lower()) == 2


def test_a_name_is_printed_as_initials_and_stars_m5_5() -> None:
    assert mask_name("Ayşe Yılmaz", "initials") == "A*** Y***"


def test_initials_are_cased_the_turkish_way_m5_5() -> None:
    assert mask_name("ilkay ışıkoğlu", "initials") == "İ*** I***"
    assert mask_name("İsmail Işık", "initials") == "İ*** I***"


def test_the_default_star_count_does_not_reveal_the_length_of_a_name_m5_5() -> None:
    assert mask_name("Al Ozanoğulları", "initials") == "A*** O***"


def test_initials_with_length_keep_one_star_per_letter_m5_5() -> None:
    assert mask_name("Ayşe Yılmaz", "initials_length") == "A*** Y*****"


def test_a_decomposed_name_is_masked_like_a_composed_one_m5_5() -> None:
    decomposed = (
        "S\u0327u\u0308kru\u0308 O\u0308zdemir"  # Ş and ü, Ö as base letter + combining mark
    )
    assert mask_name(decomposed, "initials") == "Ş*** Ö***"


def test_a_tckn_shows_only_its_first_two_and_last_two_digits_m5_5() -> None:
    assert mask_tckn("78485924142", "edges") == "78*******42"


def test_hide_deletes_the_name_and_the_tckn_m4_1_p() -> None:
    assert mask_name("Ayşe Yılmaz", "hide") is None
    assert mask_tckn("78485924142", "hide") is None


def test_no_phone_is_printed_by_default_m5_5() -> None:
    assert mask_phone("+905321234567", MaskingConfig().phone) is None
    assert mask_phone("+905321234567", "last_two") == "**********67"


def test_no_address_is_printed_by_default_and_at_most_the_province_m5_5() -> None:
    assert mask_address("Ankara", MaskingConfig().address) is None
    assert mask_address("Ankara", "province") == "Ankara"


def test_the_birth_date_is_cut_to_the_year_by_default() -> None:
    born = date(1984, 7, 19)
    assert mask_birth_date(born, MaskingConfig().birth_date) == "1984"
    assert mask_birth_date(born, "full") == "19.07.1984"
    assert mask_birth_date(born, "hide") is None


def test_no_masking_mode_prints_a_full_name_tckn_phone_or_address_m5_5() -> None:
    name, number, phone = "Ayşe Yılmaz", "78485924142", "+905321234567"
    printed = [mask_name(name, m) for m in MODES["name"]] + [
        mask_tckn(number, m) for m in MODES["tckn"]
    ]
    printed += [mask_phone(phone, m) for m in MODES["phone"]]
    assert all(
        p is None or (name not in p and number not in p and phone not in p and "Ayşe" not in p)
        for p in printed
    )
    assert all(mask_address(None, m) is None for m in MODES["address"])


def test_masking_rules_are_set_per_field_over_the_defaults_m5_5() -> None:
    config = MaskingConfig.from_mapping(
        {"name": "hide"}, {"birth_date": "hide", "name": "initials_length"}
    )
    assert config == MaskingConfig(name="initials_length", birth_date="hide")


def test_an_unknown_field_or_mode_is_refused() -> None:
    with pytest.raises(InputError) as field:
        MaskingConfig.from_mapping({"email": "hide"})
    with pytest.raises(InputError) as mode:
        MaskingConfig.from_mapping({"tckn": "full"})
    assert (field.value.code, mode.value.code) == ("masking.unknown_field", "masking.unknown_mode")


def test_a_masked_identity_applies_every_rule_at_once_m5_5() -> None:
    identity = masked_identity(
        "Ayşe Yılmaz", "78485924142", date(1980, 5, 1), "+905550000054", "Ankara", MaskingConfig()
    )
    assert (
        identity.name,
        identity.tckn,
        identity.birth_date,
        identity.phone,
        identity.address,
    ) == ("A*** Y***", "78*******42", "1980", None, None)
