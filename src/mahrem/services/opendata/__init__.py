"""M17, M4/1-a, M4/1-b — open health data: aggregate tables with differential privacy."""

from __future__ import annotations

from mahrem.services.opendata.files import dataset_file, datasets, publish
from mahrem.services.opendata.publishing import ROW_DIMENSIONS, TOTAL, dp_measurement

__all__ = [
    "ROW_DIMENSIONS",
    "TOTAL",
    "dataset_file",
    "datasets",
    "dp_measurement",
    "publish",
]
