"""The portal served for browser tests: the demo world and its accounts on SQLite, uvicorn in a
background thread on a free port, and Debian's Chromium driven by Playwright (never a
downloaded browser). Screenshots go to $MAHREM_SCREENSHOTS, else under pytest's temp folder."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from mahrem.bootstrap import build
from mahrem.services import demo, events
from mahrem.services.demo import demo_world
from mahrem.services.ports import Mahrem
from tests.e2e.live_server import served

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Portal:
    """A running portal: its base URL, the service behind it, and the demo accounts."""

    url: str
    m: Mahrem
    people: dict[str, dict[str, Any]]
    shots: Path

    def login(self, browser: Browser, person: str, installation: str | None = None) -> Page:
        """A fresh browser context (its own cookies) logged in as `person`."""
        account = self.people[person]
        context: BrowserContext = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="tr-TR"
        )
        page = context.new_page()
        page.goto(self.url + "/portal/login")
        page.get_by_label("TC kimlik no").fill(account["login"])
        page.get_by_label("Parola").fill(account["password"])
        if account["totp_secret"]:
            page.get_by_label("Doğrulama kodu").fill(pyotp.TOTP(account["totp_secret"]).now())
        if installation:
            page.get_by_label("Yazılım kurulumu").fill(installation)
        page.get_by_role("button", name="Giriş yap").click()
        page.wait_for_url(re.compile(r".*/portal/$"))
        return page

    def shot(self, page: Page, name: str) -> None:
        page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def tckn(self, person: str) -> str:
        return str(self.people[person]["login"])


def seed(folder: Path) -> dict[str, dict[str, Any]]:
    """The demo world, a few events and the demo accounts in `folder` (portal.db and keys/)."""
    m = build(f"sqlite:///{folder}/portal.db", key_dir=str(folder / "keys"))
    now = datetime.now(UTC).replace(microsecond=0)
    demo.load_world(m, demo_world(now), now - timedelta(days=1))
    for minutes, event in [
        (-600, {"type": "family_doctor_registered", "patient": "P1", "physician": "D2"}),
        (-590, {"type": "parent_of", "parent": "P1", "child": "C1"}),
        (
            -580,
            {
                "type": "relative_authorized",
                "patient": "P1",
                "relative": "K1",
                "categories": ["laboratory"],
            },
        ),
        (-60, {"type": "check_in", "id": "E1", "patient": "P2", "facility": "F1"}),
        (-30, {"type": "check_in", "id": "E2", "patient": "P1", "facility": "F1"}),
    ]:
        events.apply_event(m, event, now + timedelta(minutes=minutes))
    people = {row["person"]: row for row in demo.load_demo_accounts(m, now - timedelta(minutes=5))}
    m.uow.dispose()
    return people


def serve(folder: Path, people: dict[str, dict[str, Any]], shots: Path) -> Iterator[Portal]:
    """The portal over the seeded database in `folder`, until the generator is closed."""
    m = build(f"sqlite:///{folder}/portal.db", key_dir=str(folder / "keys"))
    with served(m) as root:
        yield Portal(root, m, people, shots)


@pytest.fixture(scope="session", name="seeded")
def seeded_fixture(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, dict[str, Any]]]:
    """Seeded once per run (argon2 makes the accounts slow to set); each test gets a copy."""
    folder = tmp_path_factory.mktemp("portal-seed")
    return folder, seed(folder)


@pytest.fixture(scope="module", name="browser")
def browser_fixture() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(name="portal")
def portal_fixture(
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    seeded: tuple[Path, dict[str, dict[str, Any]]],
) -> Iterator[Portal]:
    shots = Path(
        os.environ.get("MAHREM_SCREENSHOTS") or tmp_path_factory.getbasetemp() / "screenshots"
    )
    shots.mkdir(parents=True, exist_ok=True)
    template, people = seeded
    shutil.copytree(template, tmp_path / "portal")
    yield from serve(tmp_path / "portal", people, shots)
