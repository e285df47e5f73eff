"""HTTP routes: Research datasets (M16) and open health data at /open/ (M17).

Thin: each route builds its input and calls the service layer (see entrypoints/api/deps.py).
The open data is public and read-only; a research export is an analysis the engine decides.
"""

from __future__ import annotations

import html
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import BaseModel, Field

from mahrem.entrypoints.api.deps import Lang, Limit, Offset, Svc, Who
from mahrem.entrypoints.api.problems import PROBLEMS
from mahrem.services import opendata
from mahrem.services.research import run_export

router = APIRouter()


class ExportIn(BaseModel):
    purpose: str | None = Field(
        None,
        description="The purpose the written opinion was given for (default: "
        "X-Purpose, else research)",
    )
    quasi_identifiers: list[str] = Field(
        ...,
        description="age, birth_date, sex, province, facility, icd10, "
        "category, resource_type, month",
    )
    sensitive: list[str] = Field(
        default_factory=list, description="Attributes released as they are"
    )
    models: list[dict[str, Any]] = Field(
        ...,
        description='e.g. [{"model": "k", "k": 5}, {"model": "distinct-l", '
        '"attribute": "icd10", "l": 3}]',
    )
    suppression: float = Field(
        0.0, ge=0, lt=1, description="Largest share of records that may be suppressed"
    )
    facility: str | None = Field(None, description="Only records of this facility")
    resource_type: str | None = Field(
        "Condition", description="Only records of this FHIR resource type"
    )
    since: str | None = Field(None, description="First day (YYYY-MM-DD, Istanbul)")
    until: str | None = Field(None, description="Last day (YYYY-MM-DD, Istanbul)")
    hierarchies: dict[str, str] = Field(
        default_factory=dict, description="Attribute → ARX hierarchy CSV"
    )


class ExportOut(BaseModel):
    quasi_identifiers: list[str]
    sensitive: list[str]
    models: list[dict[str, Any]]
    transformation: dict[str, int]
    rows_in: int
    rows_out: int
    suppressed: int
    loss: float
    utility: dict[str, float]
    risk: dict[str, float]
    patients: int
    audit_seq: int | None
    rows_total: int
    rows: list[dict[str, str]]


class DatasetOut(BaseModel):
    identifier: str
    title: dict[str, str]
    description: dict[str, str]
    issued: str
    temporal: dict[str, str]
    license: str
    method: dict[str, Any]
    distribution: list[dict[str, Any]]


@router.post(
    "/research/exports",
    operation_id="research_export",
    tags=["research"],
    response_model=ExportOut,
    responses={
        **PROBLEMS,
        200: {
            "description": "The anonymised dataset (JSON, or CSV with ?format=csv)",
            "content": {"application/json": {}, "text/csv": {}},
        },
    },
)
def research_export(
    body: ExportIn,
    service: Svc,
    who: Who,
    limit: Limit = 1000,
    offset: Offset = 0,
    format: Literal["json", "csv"] = "json",
) -> Any:
    """M16, KTS/2 — an anonymised research dataset (decided per patient as an analysis, audited);
    the installation is the one the caller authenticated through (its API key, or a session
    opened at it). The JSON pages through the rows, the CSV holds them all."""
    spec = {k: v for k, v in body.model_dump().items() if v is not None}
    spec["via"] = who.installation
    if who.capacity is not None:  # an installation key acts only as staff (issue 14)
        spec["as"] = who.capacity
    spec["purpose"] = body.purpose or who.purpose or "research"
    out = run_export(service, who.person, spec)
    if format == "csv":
        return Response(out.csv(), media_type="text/csv; charset=utf-8")
    summary = out.summary()
    records = out.result.records() if out.result is not None else []
    return {**summary, "rows_total": len(records), "rows": records[offset : offset + limit]}


@router.get(
    "/open/",
    operation_id="open_data_index",
    tags=["open data"],
    response_class=HTMLResponse,
    responses={
        200: {"description": "A page listing the open datasets", "content": {"text/html": {}}}
    },
)
def open_index(lang: Lang, limit: Limit = 100, offset: Offset = 0) -> HTMLResponse:
    """M17 — the open health datasets (a plain page, no scripts)."""
    items = opendata.datasets()[offset : offset + limit]
    rows = "".join(
        f"<li><strong>{html.escape(d['title'].get(lang, d['title']['tr']))}</strong> "
        f"({html.escape(d['temporal']['startDate'])} – {html.escape(d['temporal']['endDate'])}, "
        f"{html.escape(d['method']['kind'])}): "
        + " · ".join(
            f'<a href="/open/{html.escape(d["identifier"])}.{f}">{f.upper()}</a>'
            for f in ("csv", "json", "meta.json")
        )
        + "</li>"
        for d in items
    )
    title = "Open health data" if lang == "en" else "Açık sağlık verisi"
    empty = "No datasets yet." if lang == "en" else "Henüz veri seti yok."
    page = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{title}</title></head>"
        f"<body><h1>{title}</h1>{'<ul>' + rows + '</ul>' if rows else '<p>' + empty + '</p>'}"
        '<p><a href="https://creativecommons.org/publicdomain/zero/1.0/">CC0 1.0</a></p>'
        "</body></html>"
    )
    return HTMLResponse(
        page, headers={"Content-Security-Policy": "default-src 'none'; style-src 'self'"}
    )


@router.get(
    "/open/datasets",
    operation_id="open_data_list",
    tags=["open data"],
    response_model=list[DatasetOut],
)
def open_list(limit: Limit = 100, offset: Offset = 0) -> Any:
    """M17 — the metadata of the open datasets (DCAT-style), paged."""
    return opendata.datasets()[offset : offset + limit]


@router.get(
    "/open/{filename}",
    operation_id="open_data_file",
    tags=["open data"],
    response_class=FileResponse,
    responses={
        **PROBLEMS,
        200: {
            "description": "A dataset (CSV or JSON) or its metadata (.meta.json)",
            "content": {"text/csv": {}, "application/json": {}},
        },
    },
)
def open_file(filename: str) -> FileResponse:
    """M17 — one published file: `{dataset}.csv`, `{dataset}.json` or `{dataset}.meta.json`."""
    for fmt, media in (
        ("meta.json", "application/json"),
        ("csv", "text/csv; charset=utf-8"),
        ("json", "application/json"),
    ):
        if filename.endswith("." + fmt):
            path = opendata.dataset_file(filename[: -len(fmt) - 1], fmt)
            return FileResponse(path, media_type=media)
    path = opendata.dataset_file(filename, "")  # raises NotFound
    return FileResponse(path)
