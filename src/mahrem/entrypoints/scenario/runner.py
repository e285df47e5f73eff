"""The conformance runner (../shared/scenarios/README.md): plays a story's steps through the
same service layer the API uses, with the clock set to each step's `at`."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from mahrem.domain.errors import InputError, MahremError
from mahrem.services import access, accounts, demo, events
from mahrem.services.inputs import parse_time

CODE_IN_MESSAGE = re.compile(r"\b(\d{4,10})\b")


@dataclass
class StepResult:
    scenario: str
    step: int
    outcome: dict[
        str, Any
    ]  # decision/basis/reason, result/basis/reason, or result=error/code/message
    expect: dict[str, Any] | None = None
    at: str = ""
    summary: str = ""
    weight: int = 1  # a file that cannot be loaded fails all its steps

    @property
    def counted(self) -> bool:
        return self.expect is not None or self.step == -1

    @property
    def passed(self) -> bool:
        if self.step == -1:
            return False
        if self.expect is None:
            return True
        return all(self.outcome.get(k) == v for k, v in self.expect.items())

    def line(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "step": self.step, **self.outcome}


@dataclass
class LoadedScenario:
    name: str
    world: dict[str, Any]
    steps: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)


class ScenarioLoadError(Exception):
    def __init__(self, name: str, code: str, message: str, steps: int = 1) -> None:
        super().__init__(message)
        self.name, self.code, self.message, self.steps = name, code, message, steps


def read_scenario(path: Path) -> LoadedScenario:
    """Parse and check a story file: JSON, its shape, offsets and time order."""
    name = path.stem
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioLoadError(name, "file.unreadable", f"{path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ScenarioLoadError(name, "json.invalid", f"{path}: invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ScenarioLoadError(name, "scenario.invalid", "a scenario is a JSON object")
    name = str(data.get("name") or name)
    steps = data.get("steps")
    if not isinstance(steps, list):
        raise ScenarioLoadError(name, "scenario.invalid", "steps: expected a list")
    world = data.get("world") or {}
    loaded = LoadedScenario(name, world)
    previous: datetime | None = None
    for i, step in enumerate(steps):
        try:
            if not isinstance(step, dict) or ("event" in step) == ("request" in step):
                raise InputError("step.invalid", f"steps[{i}]: needs exactly one of event, request")
            at = parse_time(step.get("at"), f"steps[{i}].at")  # type: ignore[arg-type]
        except InputError as exc:
            raise ScenarioLoadError(name, exc.code, exc.message, len(steps)) from exc
        if previous is not None and at < previous:
            raise ScenarioLoadError(
                name,
                "steps.out_of_order",
                f"steps[{i}].at: {step['at']} is before the previous step",
                len(steps),
            )
        previous = at
        loaded.steps.append((at, step))
    return loaded


class Player:
    """Plays one loaded scenario into a fresh store through the service layer."""

    def __init__(self, service: Any, scenario: LoadedScenario, lang: str = "tr") -> None:
        self.service = service
        self.scenario = scenario
        self.lang = lang
        self.codes: dict[tuple[str, str], str] = {}

    def play(self) -> Iterator[StepResult]:
        for index, (at, step) in enumerate(self.scenario.steps):
            expect = step.get("expect")
            try:
                if "event" in step:
                    outcome, summary = self._event(step["event"], at)
                else:
                    outcome, summary = self._request(step["request"], at)
            except MahremError as exc:
                outcome = {"result": "error", "code": exc.code, "message": exc.message}
                summary = _summary(step)
            yield StepResult(
                self.scenario.name,
                index,
                outcome,
                expect if isinstance(expect, dict) else None,
                step.get("at", ""),
                summary,
            )

    def _reason(self, tr: str | None, en: str | None) -> str | None:
        return en if self.lang == "en" else tr

    def _request(self, data: Any, at: datetime) -> tuple[dict[str, Any], str]:
        _, decision = access.decide_json(self.service, data, at)
        return (
            {
                "decision": decision.effect,
                "basis": decision.basis,
                "reason": self._reason(decision.reason_tr, decision.reason_en),
            },
            _summary({"request": data}),
        )

    def _event(self, data: Any, at: datetime) -> tuple[dict[str, Any], str]:
        if isinstance(data, dict) and data.get("type") == "code_entered":
            data = {**data, "code": self._code_value(data)}
        outcome = events.apply_event(self.service, data, at)
        if data.get("type") == "code_requested" and outcome.result == "accepted":
            self._keep_code(data, at)
        return (
            {
                "result": outcome.result,
                "basis": outcome.basis,
                "reason": self._reason(outcome.reason_tr, outcome.reason_en),
            },
            _summary({"event": data}),
        )

    def _keep_code(self, data: dict[str, Any], at: datetime) -> None:
        phone = accounts.phone_of(self.service, data["patient"])
        messages = accounts.outbox(self.service, phone, at)
        if messages:
            found = CODE_IN_MESSAGE.search(messages[-1]["body"])
            if found:
                self.codes[(data["physician"], data["patient"])] = found.group(1)

    def _code_value(self, data: dict[str, Any]) -> str:
        """`"correct"` is the latest code the patient received; anything else is a value
        certain to differ from it."""
        latest = self.codes.get((str(data.get("physician")), str(data.get("patient"))))
        given = data.get("code")
        if given == "correct":
            return latest if latest is not None else "correct"
        if not isinstance(given, str):
            return given  # type: ignore[return-value]
        if given == latest:
            return "".join("1" if c == "0" else "0" for c in given)
        return given


def _summary(step: dict[str, Any]) -> str:
    if "event" in step:
        ev = step["event"]
        if isinstance(ev, dict):
            rest = " ".join(f"{k}={v}" for k, v in ev.items() if k not in ("type", "record"))
            return f"event {ev.get('type')} {rest}".strip()
    req = step.get("request")
    if isinstance(req, dict):
        who = req.get("actor")
        cap = f" as {req['as']}" if req.get("as") else ""
        what = req.get("record") or req.get("patient")
        via = f" via {req['via']}" if req.get("via") else ""
        return f"request {who}{cap} {req.get('action')} {what} ({req.get('purpose') or '-'}){via}"
    return "step"


def run_file(path: Path, build_service: Any, db_url: str | None, lang: str) -> Iterator[StepResult]:
    """Load a story into a fresh store and play it; a load failure is one step -1 line."""
    try:
        scenario = read_scenario(path)
    except ScenarioLoadError as exc:
        yield _load_failure(exc)
        return
    with tempfile.TemporaryDirectory(prefix="mahrem-scenario-") as tmp:
        url = db_url or f"sqlite:///{tmp}/scenario.db"
        service = None
        try:
            service = build_service(url, str(Path(tmp) / "keys"))
            first = scenario.steps[0][0] if scenario.steps else None
            demo.load_world(service, scenario.world, first)
        except (MahremError, ScenarioLoadError) as exc:
            code = getattr(exc, "code", "world.invalid")
            yield _load_failure(
                ScenarioLoadError(
                    scenario.name, code, getattr(exc, "message", str(exc)), len(scenario.steps)
                )
            )
            if service is not None:
                service.uow.dispose()
            return
        try:
            yield from Player(service, scenario, lang).play()
        finally:
            service.uow.dispose()


def _load_failure(exc: ScenarioLoadError) -> StepResult:
    return StepResult(
        exc.name,
        -1,
        {"result": "error", "code": exc.code, "message": exc.message},
        summary="scenario could not be loaded",
        weight=max(exc.steps, 1),
    )
