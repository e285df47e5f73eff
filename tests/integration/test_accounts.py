"""People's accounts (issue 3, People's side): argon2 passwords, TOTP for staff and officers,
sessions kept only as hashes, login rate limits, every attempt audited."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest

from mahrem.services import accounts, demo
from mahrem.services.accounts import AuthError
from mahrem.services.ports import Mahrem
from tests.integration.helpers import loaded, rows, t
from tests.worlds import tckn

T0 = t("2026-03-02T10:00:00+03:00")
PASSWORD = "doğru-parola-123"


def _totp_at(uri: str, at_: object) -> str:
    return pyotp.parse_uri(uri).at(at_)  # type: ignore[union-attr,no-any-return]


def test_a_password_is_stored_only_as_an_argon2_hash(service: Mahrem) -> None:
    loaded(service)
    accounts.set_password(service, "P1", PASSWORD, T0)
    [row] = rows(service, "account", person="P1")
    assert row["password_hash"].startswith("$argon2id$") and PASSWORD not in row["password_hash"]
    assert [e["action"] for e in rows(service, "audit_log", kind="admin")] == ["password_set"]


def test_a_patient_logs_in_with_tc_kimlik_no_and_password(service: Mahrem) -> None:
    loaded(service)
    accounts.set_password(service, "P1", PASSWORD, T0)
    opened = accounts.login(service, tckn(1), PASSWORD, None, client="10.0.0.1", at=T0)
    assert opened.person == "P1" and opened.installation is None and len(opened.token) >= 40
    assert opened.expires_at == T0 + accounts.SESSION_LIFETIME
    again = accounts.session(service, opened.token, T0 + timedelta(hours=1))
    assert again == accounts.Session(
        token="", person="P1", installation=None, expires_at=opened.expires_at
    )
    [stored] = rows(service, "account_session", person="P1")
    assert opened.token not in stored["token_hash"] and len(stored["token_hash"]) == 64


def test_a_wrong_password_and_an_unknown_login_fail_alike(service: Mahrem) -> None:
    loaded(service)
    accounts.set_password(service, "P1", PASSWORD, T0)
    errors = []
    for login, password in [
        ("P1", "yanlış-parola-1"),
        (tckn(99), PASSWORD),
        ("12345678901", PASSWORD),
        ("", ""),
    ]:
        with pytest.raises(AuthError) as err:
            accounts.login(service, login, password, None, client="10.0.0.1", at=T0)
        errors.append((err.value.code, err.value.text("tr"), err.value.text("en")))
    assert len(set(errors)) == 1 and errors[0][0] == "auth.failed"
    audited = rows(service, "audit_log", kind="admin", action="login")
    assert [(e["actor"], e["outcome"], e["reason"]) for e in audited] == [
        ("P1", "rejected", "auth.password"),
        (None, "rejected", "auth.unknown_login"),
        (None, "rejected", "auth.unknown_login"),
        (None, "rejected", "auth.unknown_login"),
    ]


def test_staff_need_a_totp_code_used_once_m6(service: Mahrem) -> None:
    loaded(service)
    accounts.set_password(service, "D1", PASSWORD, T0)
    with pytest.raises(AuthError):  # staff without an enrolled second factor cannot log in
        accounts.login(service, "D1", PASSWORD, None, client="c", at=T0)
    uri = accounts.enrol_totp(service, "D1", T0)
    secret = pyotp.parse_uri(uri).secret  # type: ignore[union-attr]
    [row] = rows(service, "account", person="D1")
    assert secret.encode() not in row["totp_sealed"]
    with pytest.raises(AuthError):
        accounts.login(service, "D1", PASSWORD, None, client="c", at=T0)
    with pytest.raises(AuthError):
        accounts.login(
            service,
            "D1",
            PASSWORD,
            "000000" if _totp_at(uri, T0) != "000000" else "111111",
            client="c",
            at=T0,
        )
    code = _totp_at(uri, T0)
    assert accounts.login(service, "D1", PASSWORD, code, client="c", at=T0).person == "D1"
    with pytest.raises(AuthError):  # the same code again is a replay
        accounts.login(service, "D1", PASSWORD, code, client="c", at=T0 + timedelta(seconds=5))
    later = T0 + timedelta(seconds=60)
    assert (
        accounts.login(service, "D1", PASSWORD, _totp_at(uri, later), client="c", at=later).person
        == "D1"
    )
    reasons = [e["reason"] for e in rows(service, "audit_log", kind="admin", action="login")]
    assert reasons == ["auth.totp_not_enrolled", "auth.totp", "auth.totp", None, "auth.totp", None]


def test_officers_need_a_totp_code_too(service: Mahrem) -> None:
    loaded(service)
    accounts.set_password(service, "O1", PASSWORD, T0)
    with pytest.raises(AuthError):
        accounts.login(service, "O1", PASSWORD, None, client="c", at=T0)
    uri = accounts.enrol_totp(service, "O1", T0)
    assert (
        accounts.login(service, "O1", PASSWORD, _totp_at(uri, T0), client="c", at=T0).person == "O1"
    )


def test_a_staff_session_carries_the_installation_of_their_facility_kts_3(service: Mahrem) -> None:
    loaded(service)
    for pid in ("D1", "D2"):
        accounts.set_password(service, pid, PASSWORD, T0)
    uri1, uri2 = accounts.enrol_totp(service, "D1", T0), accounts.enrol_totp(service, "D2", T0)
    opened = accounts.login(
        service, "D1", PASSWORD, _totp_at(uri1, T0), client="c", installation="S1", at=T0
    )
    assert opened.installation == "S1"
    assert accounts.session(service, opened.token, T0).installation == "S1"  # type: ignore[union-attr]
    with pytest.raises(AuthError) as err:  # S1 is at F1; D2 works at F2
        accounts.login(
            service, "D2", PASSWORD, _totp_at(uri2, T0), client="c", installation="S1", at=T0
        )
    assert err.value.code == "auth.installation" and err.value.field == "installation"
    with pytest.raises(AuthError):
        accounts.login(
            service,
            "D1",
            PASSWORD,
            _totp_at(uri1, T0 + timedelta(minutes=1)),
            client="c",
            installation="S404",
            at=T0 + timedelta(minutes=1),
        )


def test_a_session_expires_and_ends_at_logout(service: Mahrem) -> None:
    loaded(service)
    accounts.set_password(service, "P1", PASSWORD, T0)
    first = accounts.login(service, "P1", PASSWORD, None, client="c", at=T0)
    assert (
        accounts.session(service, first.token, first.expires_at - timedelta(seconds=1)) is not None
    )
    assert accounts.session(service, first.token, first.expires_at) is None
    assert (
        accounts.session(service, "not-a-token", T0) is None
        and accounts.session(service, "", T0) is None
    )
    second = accounts.login(service, "P1", PASSWORD, None, client="c", at=T0)
    accounts.logout(service, second.token, T0 + timedelta(minutes=5))
    accounts.logout(
        service, second.token, T0 + timedelta(minutes=6)
    )  # a second logout changes nothing
    assert accounts.session(service, second.token, T0 + timedelta(minutes=5)) is None
    assert [e["action"] for e in rows(service, "audit_log", kind="admin", action="logout")] == [
        "logout"
    ]


def test_five_failures_lock_the_person_out_for_fifteen_minutes(service: Mahrem) -> None:
    loaded(service)
    accounts.set_password(service, "P1", PASSWORD, T0)
    for i in range(accounts.MAX_FAILURES_PER_PERSON):
        with pytest.raises(AuthError) as err:
            accounts.login(
                service,
                "P1",
                f"yanlış-{i}-parola",
                None,
                client=f"c{i}",
                at=T0 + timedelta(seconds=i),
            )
        assert err.value.code == "auth.failed"
    with pytest.raises(AuthError) as err:  # even the right password is refused now
        accounts.login(service, "P1", PASSWORD, None, client="c9", at=T0 + timedelta(minutes=1))
    assert err.value.code == "auth.rate_limited"
    opened = accounts.login(
        service, "P1", PASSWORD, None, client="c9", at=T0 + timedelta(minutes=15, seconds=5)
    )
    assert opened.person == "P1"
    outcomes = [r["outcome"] for r in rows(service, "login_attempt", person="P1")]
    assert outcomes == ["failed"] * 5 + ["limited", "accepted"]


def test_the_limit_tells_nobody_whether_a_tc_kimlik_no_belongs_to_anyone_m12(
    service: Mahrem,
) -> None:
    loaded(service)
    answers = {}
    for login in (tckn(1), tckn(321)):  # P1's TC kimlik no, and one nobody has
        codes = []
        for i in range(accounts.MAX_FAILURES_PER_PERSON + 1):
            with pytest.raises(AuthError) as err:
                accounts.login(
                    service,
                    login,
                    f"yanlış-{i}",
                    None,
                    client=f"{login}-{i}",
                    at=T0 + timedelta(seconds=i),
                )
            codes.append(err.value.code)
        answers[login] = codes
    assert answers[tckn(1)] == answers[tckn(321)] == ["auth.failed"] * 5 + ["auth.rate_limited"]
    assert all(
        r["login_key"] and tckn(1) not in r["login_key"] for r in rows(service, "login_attempt")
    )


def test_one_client_address_is_limited_across_people(service: Mahrem) -> None:
    loaded(service)
    accounts.set_password(service, "P1", PASSWORD, T0)
    for i in range(accounts.MAX_FAILURES_PER_CLIENT):
        with pytest.raises(AuthError):
            accounts.login(
                service, tckn(200 + i), "parola-tahmini", None, client="203.0.113.9", at=T0
            )
    with pytest.raises(AuthError) as err:
        accounts.login(service, "P1", PASSWORD, None, client="203.0.113.9", at=T0)
    assert err.value.code == "auth.rate_limited"
    assert (
        accounts.login(service, "P1", PASSWORD, None, client="198.51.100.1", at=T0).person == "P1"
    )


def test_a_short_password_is_refused_naming_the_field(service: Mahrem) -> None:
    loaded(service)
    from mahrem.domain.errors import InputError

    with pytest.raises(InputError) as err:
        accounts.set_password(service, "P1", "kısa", T0)
    assert (err.value.code, err.value.field) == ("password.too_short", "password")
    assert rows(service, "account") == []


def test_the_demo_accounts_log_in_as_the_table_says(service: Mahrem) -> None:
    from mahrem.services.demo import demo_world

    demo.load_world(service, demo_world(T0), T0 - timedelta(days=1))
    table = demo.load_demo_accounts(service, T0)
    by_person = {r["person"]: r for r in table}
    assert (
        by_person["P1"]["totp_secret"] is None
        and by_person["D1"]["totp_secret"] == demo.DEMO_TOTP_SECRET
    )
    assert by_person["A1"]["role"] == "dpo" and by_person["D1"]["role"] == "physician (F1)"
    d1 = by_person["D1"]
    code = pyotp.TOTP(d1["totp_secret"]).at(T0)
    opened = accounts.login(
        service, d1["login"], d1["password"], code, client="c", installation="S1", at=T0
    )
    assert opened.person == "D1" and opened.installation == "S1"
    assert (
        accounts.login(
            service, by_person["P1"]["login"], by_person["P1"]["password"], None, client="c", at=T0
        ).person
        == "P1"
    )


def test_a_patient_who_enrolled_a_second_factor_must_use_it(service: Mahrem) -> None:
    loaded(service)
    accounts.set_password(service, "P1", PASSWORD, T0)
    uri = accounts.enrol_totp(service, "P1", T0)
    with pytest.raises(AuthError):
        accounts.login(service, "P1", PASSWORD, None, client="c", at=T0)
    assert (
        accounts.login(service, "P1", PASSWORD, _totp_at(uri, T0), client="c", at=T0).person == "P1"
    )
