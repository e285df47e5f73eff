"""M17 — published open datasets as files: written with their checksums, listed, and served
by name and format (GET /open/)."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mahrem.domain.clock import require_aware
from mahrem.domain.errors import NotFound
from mahrem.services import audit
from mahrem.services.opendata.publishing import NAME, REQUIRED, Release, build, open_dir
from mahrem.services.policies import policy_at

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem


def _write(path: Path, text: str) -> dict[str, Any]:
    data = text.encode()
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return {
        "byteSize": len(data),
        "checksum": {"algorithm": "sha256", "value": hashlib.sha256(data).hexdigest()},
    }


def write(release: Release, directory: Path) -> dict[str, Any]:
    """The CSV, the JSON, then the metadata (last: a dataset is listed once all its files exist)."""
    directory.mkdir(parents=True, exist_ok=True)
    distributions = []
    for fmt, media, text in (
        ("csv", "text/csv", release.csv()),
        ("json", "application/json", release.json()),
    ):
        info = _write(directory / f"{release.name}.{fmt}", text)
        distributions.append(
            {
                "format": fmt,
                "mediaType": media,
                "downloadURL": f"/open/{release.name}.{fmt}",
                **info,
            }
        )
    metadata = {**release.metadata, "distribution": distributions}
    _write(
        directory / f"{release.name}.meta.json", json.dumps(metadata, ensure_ascii=False, indent=1)
    )
    return metadata


def datasets(directory: Path | None = None) -> list[dict[str, Any]]:
    """The metadata of every published dataset, by identifier."""
    d = directory or open_dir()
    if not d.is_dir():
        return []
    out = []
    for path in sorted(d.glob("*.meta.json")):
        try:
            meta = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(meta, dict) and set(meta) >= REQUIRED and NAME.match(str(meta["identifier"])):
            out.append(meta)
    return out


def dataset_file(name: str, fmt: str, directory: Path | None = None) -> Path:
    """The path of one published file (csv, json or meta.json); NotFound for anything else."""
    if not NAME.match(name) or fmt not in ("csv", "json", "meta.json"):
        raise NotFound("opendata.unknown", f"no open dataset {name!r}")
    path = (directory or open_dir()) / f"{name}.{fmt}"
    if not path.is_file():
        raise NotFound("opendata.unknown", f"no open dataset {name!r}")
    return path


def publish(
    m: Mahrem,
    since: date,
    until: date,
    *,
    method: str = "suppression",
    epsilon: float | None = None,
    max_per_person: int = 1,
    name: str | None = None,
    by: str | None = None,
    directory: Path | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """M17 — build, write and audit one open-data release; returns its metadata."""
    when = require_aware(at) if at is not None else m.clock()
    with m.uow.write() as store:
        threshold = policy_at(store, when).open_data_min_cell
        release = build(
            store,
            m.keys,
            since,
            until,
            method=method,
            threshold=threshold,
            epsilon=epsilon,
            max_per_person=max_per_person,
            name=name,
            issued=when,
        )
        metadata = write(release, directory or open_dir())
        audit.append(
            store,
            at=when,
            kind="admin",
            actor=by,
            action="opendata_published",
            outcome="accepted",
            basis="17/1",
            detail={
                "dataset": release.name,
                "method": release.metadata["method"],
                "cells": len(release.cells),
            },
        )
    return metadata
