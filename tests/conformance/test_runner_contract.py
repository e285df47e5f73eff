"""The runner's contract (scenarios/README.md): output shape, load errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from mahrem.entrypoints.cli.main import app
from tests.worlds import OBSERVATION, world

runner = CliRunner()
AT = "2026-03-02T09:00:00+03:00"


def story(steps: list[dict[str, Any]], **world_changes: Any) -> dict[str, Any]:
    return {
        "name": "test-story",
        "description": "",
        "world": world(**world_changes),
        "steps": steps,
    }


def write(tmp_path: Path, data: object, name: str = "s.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def play(*paths: Path, extra: tuple[str, ...] = ()) -> tuple[int, list[dict[str, Any]], str]:
    result = runner.invoke(app, ["scenario", "run", "--json", *map(str, paths), *extra])
    return result.exit_code, [json.loads(x) for x in result.stdout.splitlines() if x], result.stderr


READ_R1 = {
    "actor": "D1",
    "action": "read",
    "patient": "P1",
    "record": "R1",
    "purpose": "treatment",
    "via": "S1",
}


def test_json_lines_carry_decision_basis_and_reason(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        story([{"at": AT, "request": READ_R1, "expect": {"decision": "deny", "basis": "6/3"}}]),
    )
    code, lines, summary = play(path)
    assert lines == [
        {
            "scenario": "test-story",
            "step": 0,
            "decision": "deny",
            "basis": "6/3",
            "reason": lines[0]["reason"],
        }
    ]
    assert lines[0]["reason"]
    assert (code, summary.strip()) == (0, "1 passed, 0 failed")


def test_a_failed_expectation_exits_one(tmp_path: Path) -> None:
    path = write(
        tmp_path, story([{"at": AT, "request": READ_R1, "expect": {"decision": "permit"}}])
    )
    code, _, summary = play(path)
    assert (code, summary.strip()) == (1, "0 passed, 1 failed")


def test_steps_without_expect_are_printed_but_not_counted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        story(
            [
                {
                    "at": AT,
                    "event": {"type": "check_in", "id": "E1", "patient": "P1", "facility": "F1"},
                }
            ]
        ),
    )
    code, lines, summary = play(path)
    assert lines[0]["result"] == "accepted" and lines[0]["basis"] is None
    assert (code, summary.strip()) == (0, "0 passed, 0 failed")


def test_bad_input_in_a_step_is_an_error_line_and_play_goes_on(tmp_path: Path) -> None:
    steps = [
        {
            "at": AT,
            "event": {"type": "check_in", "id": "E1", "patient": "NOBODY", "facility": "F1"},
            "expect": {"result": "error"},
        },
        {
            "at": AT,
            "event": {"type": "check_in", "id": "E1", "patient": "P1", "facility": "F1"},
            "expect": {"result": "accepted"},
        },
        {"at": AT, "request": {**READ_R1, "record": "R4"}, "expect": {"result": "error"}},
        {"at": AT, "event": {"type": "record_hidden", "patient": "P1", "record": "R4"}},
    ]
    code, lines, summary = play(write(tmp_path, story(steps)))
    assert lines[0]["result"] == "error" and lines[0]["code"] == "person.unknown"
    assert "event.patient" in lines[0]["message"]
    assert lines[1]["result"] == "accepted"  # E1 was not written by the failed step
    assert lines[2]["code"] == "record.other_patient"
    assert lines[3]["code"] == "record.other_patient"
    assert code == 0 and summary.strip() == "3 passed, 0 failed"


def test_an_unknown_via_is_a_refusal_not_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        story(
            [
                {
                    "at": AT,
                    "request": {**READ_R1, "via": "S404"},
                    "expect": {"decision": "deny", "basis": "KTS/3"},
                }
            ]
        ),
    )
    assert play(path)[0] == 0


def _load_error(tmp_path: Path, data: object) -> tuple[int, list[dict[str, Any]], str]:
    return play(write(tmp_path, data))


def test_invalid_json_is_one_load_error_line(tmp_path: Path) -> None:
    code, lines, summary = _load_error(tmp_path, "{not json")
    assert lines == [
        {
            "scenario": "s",
            "step": -1,
            "result": "error",
            "code": "json.invalid",
            "message": lines[0]["message"],
        }
    ]
    assert code == 1 and summary.strip() == "0 passed, 1 failed"


def test_an_invalid_tc_kimlik_no_fails_the_whole_file_naming_the_field(tmp_path: Path) -> None:
    data = story([{"at": AT, "request": READ_R1, "expect": {"decision": "deny"}}] * 3)
    data["world"]["people"][0]["tckn"] = "12345678901"
    code, lines, summary = _load_error(tmp_path, data)
    assert len(lines) == 1 and lines[0]["step"] == -1 and lines[0]["code"] == "tckn.invalid"
    assert "world.people[0].tckn" in lines[0]["message"]
    assert code == 1 and summary.strip() == "0 passed, 3 failed"


def test_invalid_fhir_fails_the_whole_file(tmp_path: Path) -> None:
    data = story([{"at": AT, "request": READ_R1}])
    data["world"]["records"][0]["resource"] = {"resourceType": "Observation", "status": "final"}
    code, lines, _ = _load_error(tmp_path, data)
    assert lines[0]["code"] == "fhir.invalid" and "world.records[0].resource" in lines[0]["message"]
    assert code == 1


def test_steps_out_of_time_order_fail_the_whole_file(tmp_path: Path) -> None:
    steps = [
        {"at": "2026-03-02T10:00:00+03:00", "request": READ_R1},
        {"at": "2026-03-02T09:00:00+03:00", "request": READ_R1},
    ]
    code, lines, _ = _load_error(tmp_path, story(steps))
    assert lines[0]["code"] == "steps.out_of_order" and code == 1


def test_a_time_without_offset_fails_the_whole_file(tmp_path: Path) -> None:
    code, lines, _ = _load_error(
        tmp_path, story([{"at": "2026-03-02T10:00:00", "request": READ_R1}])
    )
    assert lines[0]["code"] == "time.naive" and code == 1


def test_equal_times_play_in_file_order(tmp_path: Path) -> None:
    steps = [
        {"at": AT, "event": {"type": "check_in", "id": "E1", "patient": "P1", "facility": "F1"}},
        {"at": AT, "request": READ_R1, "expect": {"decision": "permit", "basis": "6/3-c"}},
    ]
    assert play(write(tmp_path, story(steps)))[0] == 0


def test_db_option_refuses_a_database_that_already_holds_data(tmp_path: Path) -> None:
    path = write(tmp_path, story([{"at": AT, "request": READ_R1, "expect": {"decision": "deny"}}]))
    url = f"sqlite:///{tmp_path}/one.db"
    assert play(path, extra=("--db", url))[0] == 0
    code, lines, _ = play(path, extra=("--db", url))
    assert code == 1 and lines[0]["step"] == -1 and lines[0]["code"] == "db.not_empty"


def test_human_output_ends_with_the_summary(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        story([{"at": AT, "request": READ_R1, "expect": {"decision": "deny", "basis": "6/3"}}]),
    )
    result = runner.invoke(app, ["scenario", "run", str(path)])
    assert result.stdout.strip().splitlines()[-1] == "1 passed, 0 failed"
    assert "✓" in result.stdout


def test_english_reasons_on_request(tmp_path: Path) -> None:
    path = write(tmp_path, story([{"at": AT, "request": READ_R1}]))
    _, lines, _ = play(path, extra=("--lang", "en"))
    assert lines[0]["reason"].startswith("No family-doctor")


def test_no_files_is_a_usage_error() -> None:
    assert runner.invoke(app, ["scenario", "run"]).exit_code == 2


def test_the_world_records_category_is_derived_when_missing(tmp_path: Path) -> None:
    data = story(
        [
            {
                "at": AT,
                "event": {"type": "family_doctor_registered", "patient": "P1", "physician": "D1"},
            },
            {
                "at": AT,
                "request": {**READ_R1, "record": "R1"},
                "expect": {"decision": "permit", "basis": "6/3-a"},
            },
            # F32.1 is psychiatry (M6/6): the family doctor, an internist, is refused.
            {
                "at": AT,
                "request": {**READ_R1, "record": "RX"},
                "expect": {"decision": "deny", "basis": "6/6"},
            },
        ]
    )
    data["world"]["records"].append(
        {
            "id": "RX",
            "patient": "P1",
            "facility": "F3",
            "author": "D3",
            "created_at": "2025-01-01T10:00:00+03:00",
            "resource": {
                **OBSERVATION,
                "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "F32.1"}]},
            },
        }
    )
    assert play(write(tmp_path, data))[0] == 0
