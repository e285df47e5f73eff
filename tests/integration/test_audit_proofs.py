"""Inclusion proofs an outside party checks with nothing but the public key."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from mahrem.adapters.signing import verify_signature
from mahrem.domain.errors import InputError
from mahrem.entrypoints.cli.main import app
from mahrem.services import audit
from mahrem.services.audit import check_proof
from mahrem.services.ports import Mahrem
from tests.integration.test_audit_tamper import with_log


def sealed(service: Mahrem) -> Mahrem:
    with_log(service, entries=7)
    audit.seal(service)
    return service


def test_every_sealed_entry_has_a_proof_that_checks(service: Mahrem) -> None:
    sealed(service)
    pem = service.signer.public_pem()
    for seq in range(1, 8):
        ok, message = check_proof(audit.prove(service, seq), pem, verify_signature)
        assert ok, message


def test_checkpoints_cover_consecutive_ranges(service: Mahrem) -> None:
    sealed(service)
    assert audit.seal(service) is None  # nothing new
    from tests.integration.helpers import read

    read(service, "2026-03-02T11:00:00+03:00")
    second = audit.seal(service)
    assert second is not None and (second["id"], second["first_seq"], second["last_seq"]) == (
        2,
        8,
        8,
    )
    assert audit.verify(service).ok
    assert check_proof(audit.prove(service, 8), service.signer.public_pem(), verify_signature)[0]


def test_a_proof_fails_with_another_key_or_a_changed_entry(service: Mahrem) -> None:
    sealed(service)
    proof = audit.prove(service, 5)
    other = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    assert check_proof(proof, other, verify_signature) == (
        False,
        "the checkpoint's signature does not verify with this key",
    )
    changed = copy.deepcopy(proof)
    changed["entry"]["basis"] = "5/6"
    assert check_proof(changed, service.signer.public_pem(), verify_signature)[0] is False
    moved = copy.deepcopy(proof)
    moved["leaf_index"] = 2
    assert check_proof(moved, service.signer.public_pem(), verify_signature)[0] is False


def test_an_unsealed_entry_has_no_proof_yet(service: Mahrem) -> None:
    with_log(service, entries=2)
    with pytest.raises(InputError, match="not sealed"):
        audit.prove(service, 1)


def test_the_cli_proves_and_checks_against_the_published_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.setenv("MAHREM_KEY_DIR", str(tmp_path / "keys"))
    db = f"sqlite:///{tmp_path}/a.db"
    assert runner.invoke(app, ["demo", "load", "--db", db]).exit_code == 0
    assert runner.invoke(app, ["audit", "seal", "--db", db]).exit_code == 0
    (tmp_path / "proof.json").write_text(
        runner.invoke(app, ["audit", "prove", "2", "--db", db]).stdout
    )
    (tmp_path / "key.pem").write_text(
        runner.invoke(app, ["audit", "public-key", "--db", db]).stdout
    )
    (tmp_path / "cp.json").write_text(
        runner.invoke(app, ["audit", "checkpoints", "--db", db]).stdout.splitlines()[0]
    )
    args = [
        "audit",
        "check-proof",
        str(tmp_path / "proof.json"),
        "--public-key",
        str(tmp_path / "key.pem"),
    ]
    result = runner.invoke(app, [*args, "--checkpoint", str(tmp_path / "cp.json")])
    assert result.exit_code == 0 and result.stdout.startswith(
        "OK: entry 2 is included in checkpoint 1"
    )
    forged = json.loads((tmp_path / "cp.json").read_text())
    forged["root"] = "00" * 32
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    result = runner.invoke(app, [*args, "--checkpoint", str(tmp_path / "forged.json")])
    assert result.exit_code == 1 and "not the published one" in result.stdout


def test_the_cli_verify_exits_non_zero_naming_the_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import create_engine, text

    runner = CliRunner()
    monkeypatch.setenv("MAHREM_KEY_DIR", str(tmp_path / "keys"))
    db = f"sqlite:///{tmp_path}/v.db"
    runner.invoke(app, ["demo", "load", "--db", db])
    ok = runner.invoke(app, ["audit", "verify", "--db", db])
    engine = create_engine(db)
    with engine.connect() as conn:
        entries = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    assert entries > 4 and ok.exit_code == 0 and ok.stdout.startswith(f"OK: {entries} entries")
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("UPDATE audit_log SET actor = 'D9' WHERE seq = 2"))
    engine.dispose()
    bad = runner.invoke(app, ["audit", "verify", "--db", db])
    assert bad.exit_code == 1 and "FAIL [changed] entry 2" in bad.stdout
