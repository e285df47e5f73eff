"""`mahrem kts …` (the KTS letter, point 3): the sweep by date prints what changed and can run
again without changing more; the report names software, status and administrator; keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mahrem.bootstrap import build
from mahrem.entrypoints.cli.main import app as cli
from mahrem.services import kts
from mahrem.services.ports import Mahrem
from tests.integration.helpers import loaded, t

runner = CliRunner()
AT = t("2025-12-01T09:00:00+03:00")


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MAHREM_KEY_DIR", str(tmp_path / "keys"))
    return f"sqlite:///{tmp_path}/kts.db"


@pytest.fixture
def service(url: str, tmp_path: Path) -> Iterator[Mahrem]:
    svc = build(url, key_dir=str(tmp_path / "keys"))
    loaded(svc)
    kts.register_firm(
        svc, "FIRM1", "Örnek Bilişim A.Ş.", "4540536920", "Ayşe Demir", by="G1", at=AT
    )
    kts.register_product(svc, "HBYS1", "FIRM1", "Örnek HBYS", "HBYS", by="G1", at=AT)
    kts.add_version(svc, "HBYS1-5", "HBYS1", "5.0", "İlk sürüm", by="G1", at=AT)
    kts.add_certificate(
        svc, "CERT1", "FIRM1", "ISO/IEC 27001", "TSE", date(2026, 1, 2), by="G1", at=AT
    )
    kts.register_installation(svc, "S2", "HBYS1-5", "F1", "A1", by="G1", at=AT)
    yield svc
    svc.uow.dispose()


def test_the_sweep_prints_what_changed_and_a_second_run_changes_nothing_kts_3(
    service: Mahrem, url: str
) -> None:
    first = runner.invoke(cli, ["kts", "sweep", "--at", "2026-01-14", "--db", url])
    assert first.exit_code == 0, first.output
    assert "S2\tstatus\tregistered → passive\tKTS/3" in first.stdout
    assert "S2\twarning\tcertificate CERT1 expires 2026-01-02" in first.stdout
    again = runner.invoke(cli, ["kts", "sweep", "--at", "2026-01-14", "--db", url])
    assert again.exit_code == 0 and again.stdout == ""
    report = runner.invoke(cli, ["kts", "report", "--facility", "F1", "--db", url])
    assert "  S2\tÖrnek HBYS 5.0\tpassive\tadministrator: A1 Kişi A1" in report.stdout


def test_a_sweep_by_someone_other_than_a_gm_officer_is_refused_kts_3(
    service: Mahrem, url: str
) -> None:
    result = runner.invoke(cli, ["kts", "sweep", "--at", "2026-01-14", "--by", "D1", "--db", url])
    assert result.exit_code == 1 and '"kts.forbidden"' in result.stdout


def test_keys_are_issued_rotated_and_revoked_from_the_command_line_kts_3(
    service: Mahrem, url: str
) -> None:
    issued = runner.invoke(cli, ["kts", "issue-key", "S2", "--by", "A1", "--db", url])
    key = issued.stdout.strip()
    assert issued.exit_code == 0 and kts.authenticate_installation(service, key) == "S2"
    rotated = runner.invoke(
        cli, ["kts", "rotate-key", "S2", "--by", "G1", "--db", url]
    ).stdout.strip()
    assert kts.authenticate_installation(service, key) is None
    assert kts.authenticate_installation(service, rotated) == "S2"
    revoked = runner.invoke(cli, ["kts", "revoke-key", "S2", "--by", "G1", "--db", url])
    assert revoked.stdout.strip() == "S2: 1 key(s) revoked"
    assert kts.authenticate_installation(service, rotated) is None
    refused = runner.invoke(cli, ["kts", "issue-key", "S2", "--by", "D1", "--db", url])
    assert refused.exit_code == 1 and '"kts.keys_forbidden"' in refused.stdout


def test_a_smart_client_is_registered_from_the_command_line_kts_3(
    service: Mahrem, url: str, tmp_path: Path
) -> None:
    from joserfc.jwk import RSAKey

    key = RSAKey.generate_key(2048, parameters={"kid": "hbys-2026"})
    public = tmp_path / "jwks.json"
    public.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    args = ["kts", "register-client", "S2", "--jwks", str(public), "--db", url]
    done = runner.invoke(cli, [*args, "--by", "G1", "--scopes", "system/Observation.rs"])
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == "S2: keys hbys-2026; scopes system/Observation.rs"
    assert kts.client(service, "S2", "A1")["kids"] == ["hbys-2026"]
    refused = runner.invoke(cli, [*args, "--by", "A1", "--scopes", "system/*.rs"])
    assert refused.exit_code == 1 and '"kts.client_forbidden"' in refused.stdout
    public.write_text(json.dumps({"keys": [key.as_dict(private=True)]}))
    private = runner.invoke(cli, [*args, "--by", "G1", "--scopes", "system/*.rs"])
    assert private.exit_code == 1 and '"smart.jwks_private"' in private.stdout
    public.write_text("{")
    broken = runner.invoke(cli, [*args, "--by", "G1", "--scopes", "system/*.rs"])
    assert broken.exit_code == 2 and "readable" in broken.output and "JSON" in broken.output
