"""Research anonymisation benchmark (M16): Mahrem's exporter against ARX's published figures
and the `anjana` package, on ARX's Adult data with its nine hierarchies.

Run on demand (never in the test suite; it prints figures and asserts nothing):

    .venv/bin/python benches/anonymise.py [--data ../shared/data/adult] [--runs 3]
        [--anjana-timeout 300] [--skip-anjana]

For each setting — k = 2, 5, 10 with 0 % and 5 % suppression, and k = 5 with distinct-ℓ = 3 on
occupation (8 quasi-identifiers, occupation the sensitive attribute) with 5 % — it times
`mahrem.domain.anonymise.anonymise` end to end (encoding the columns, the optimal lattice
search, suppression, generalising the released rows, utility and risk; reading the CSV files
is not timed), best of `--runs`; then anjana 1.2.3 on the same data and hierarchies (passed as
per-level columns of the hierarchy tables, its fast form), once, in a child process killed
after `--anjana-timeout` seconds. anjana's result is priced with the same Loss measure: its
levels are read off its output and its suppressed rows are the ones it dropped. ARX's figures
are those measured in ../shared/reference/anonymisation-notes.md (ARX 3.9.2, Flash, Loss).
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from machine import cpu_model  # noqa: E402

from mahrem.domain.anonymise import DistinctLDiversity, KAnonymity, anonymise, from_csv  # noqa: E402
from mahrem.domain.anonymise.search import Search  # noqa: E402
from mahrem.domain.anonymise.table import encode  # noqa: E402

ORDER = [
    "sex",
    "age",
    "race",
    "marital-status",
    "education",
    "native-country",
    "workclass",
    "occupation",
    "salary-class",
]
# name, k, l (on occupation) or None, suppression, ARX: (ms, levels, suppressed, quality) or None
SETTINGS: list[tuple[str, int, int | None, float, tuple[int, str, int, float] | None]] = [
    ("k=2, 0 %", 2, None, 0.0, (122, "[0,4,1,1,3,2,0,2,0]", 0, 0.321)),
    ("k=5, 0 %", 5, None, 0.0, (61, "[0,4,1,1,3,2,2,1,0]", 0, 0.292)),
    ("k=10, 0 %", 10, None, 0.0, None),
    ("k=2, 5 %", 2, None, 0.05, None),
    ("k=5, 5 %", 5, None, 0.05, (1970, "[0,3,0,0,2,1,1,2,0]", 1346, 0.698)),
    ("k=10, 5 %", 10, None, 0.05, (1103, "[0,3,0,1,2,1,1,2,0]", 1437, 0.648)),
    ("k=5 + distinct-ℓ=3 (occupation), 5 %", 5, 3, 0.05, (743, "8 QIs (not given)", 1400, 0.798)),
]


def load(data: Path) -> tuple[dict[str, list[str]], dict[str, Any]]:
    with (data / "adult.csv").open() as f:
        rows = list(csv.reader(f, delimiter=";"))
    head, body = rows[0], rows[1:]
    columns = {h: [r[i] for r in body] for i, h in enumerate(head)}
    hierarchies = {h: from_csv((data / f"adult_hierarchy_{h}.csv").read_text()) for h in head}
    return columns, hierarchies


def mahrem_run(
    columns: dict[str, list[str]],
    hierarchies: dict[str, Any],
    k: int,
    l_div: int | None,
    supp: float,
    runs: int,
) -> tuple[list[float], list[float], Any]:
    qis = [q for q in ORDER if l_div is None or q != "occupation"]
    models: list[Any] = [KAnonymity(k)] + (
        [DistinctLDiversity("occupation", l_div)] if l_div else []
    )
    times, cpu, result = [], [], None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        result = anonymise(columns, {q: hierarchies[q] for q in qis}, models, supp)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return times, cpu, result


def _anjana_child(data: str, k: int, l_div: int | None, supp: float, queue: Any) -> None:
    import anjana.anonymity as an
    import pandas as pd

    df = pd.read_csv(Path(data) / "adult.csv", sep=";", dtype=str)
    qis = [q for q in ORDER if l_div is None or q != "occupation"]
    hierarchies = {
        q: dict(
            pd.read_csv(Path(data) / f"adult_hierarchy_{q}.csv", sep=";", header=None, dtype=str)
        )
        for q in qis
    }
    t0, c0 = time.perf_counter(), time.process_time()
    if l_div is None:
        out = an.k_anonymity(df, [], qis, k, supp * 100, hierarchies)
    else:
        out = an.l_diversity(df, [], qis, "occupation", k, l_div, supp * 100, hierarchies)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    queue.put((elapsed, cpu, {q: sorted(set(out[q].astype(str))) for q in qis}, len(out)))


def anjana_run(
    data: Path, k: int, l_div: int | None, supp: float, timeout: float
) -> tuple[float, float, Any, int] | None:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_anjana_child, args=(str(data), k, l_div, supp, queue))
    child.start()
    try:
        return queue.get(timeout=timeout)  # type: ignore[no-any-return]
    except Exception:
        return None
    finally:
        if child.is_alive():
            child.terminate()
        child.join()


def levels_of(values: dict[str, list[str]], hierarchies: dict[str, Any]) -> tuple[int, ...]:
    """The lowest level of each hierarchy holding every released value (anjana's transformation)."""
    out = []
    for q, vals in values.items():
        h = hierarchies[q]
        out.append(next(lv for lv in range(h.height + 1) if set(vals) <= {r[lv] for r in h.rows}))
    return tuple(out)


def price(
    columns: dict[str, list[str]],
    hierarchies: dict[str, Any],
    qis: list[str],
    levels: tuple[int, ...],
    k: int,
    l_div: int | None,
    supp: float,
) -> tuple[float, int, float]:
    """Loss, suppressed and ARX granularity of a given transformation (suppressing what fails)."""
    from mahrem.domain.anonymise.release import utility

    models: list[Any] = [KAnonymity(k)] + (
        [DistinctLDiversity("occupation", l_div)] if l_div else []
    )
    table = encode(columns, {q: hierarchies[q] for q in qis}, ["occupation"] if l_div else [])
    search = Search(table, tuple(models), 1.0 - 1e-9)
    ev = search.evaluate(levels)
    return ev.loss, ev.suppressed, utility(table, search, ev)["granularity"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=HERE.parent.parent / "shared" / "data" / "adult"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--anjana-timeout", type=float, default=300.0)
    parser.add_argument("--skip-anjana", action="store_true")
    args = parser.parse_args()
    columns, hierarchies = load(args.data)
    print(f"# Adult: {len(columns['sex'])} rows; {cpu_model()}; Python {sys.version.split()[0]}")
    print(
        "| setting | Mahrem wall time, best / median (CPU, best) | Mahrem levels | suppressed "
        "| quality | ARX time | ARX levels | ARX suppressed | ARX quality | anjana wall (CPU) "
        "| anjana levels | anjana suppressed | anjana quality | anjana / Mahrem (CPU) |"
    )
    print("|" + " --- |" * 14)
    for name, k, l_div, supp, arx in SETTINGS:
        times, cpu, r = mahrem_run(columns, hierarchies, k, l_div, supp, args.runs)
        best, med = min(times), statistics.median(times)
        levels = "[" + ",".join(map(str, r.levels)) + "]"
        arx_cells = (
            f"{arx[0]:,} ms | {arx[1]} | {arx[2]:,} | {arx[3]:.3f}" if arx else "— | — | — | —"
        )
        if args.skip_anjana:
            an_cells = "— | — | — | — | —"
        else:
            got = anjana_run(args.data, k, l_div, supp, args.anjana_timeout)
            if got is None:
                an_cells = (
                    f"> {args.anjana_timeout:.0f} s | — | — | — "
                    f"| > {args.anjana_timeout / best:.0f}×"
                )
            else:
                elapsed, an_cpu, values, kept = got
                qis = [q for q in ORDER if l_div is None or q != "occupation"]
                an_levels = levels_of(values, hierarchies)
                _, _, quality = price(columns, hierarchies, qis, an_levels, k, l_div, supp)
                an_cells = (
                    f"{elapsed:.2f} s ({an_cpu:.2f} s) | [{','.join(map(str, an_levels))}] | "
                    f"{len(columns['sex']) - kept:,} | {quality:.3f} | {an_cpu / min(cpu):.0f}×"
                )
        print(
            f"| {name} | {best * 1000:,.0f} / {med * 1000:,.0f} ms ({min(cpu) * 1000:,.0f} ms) "
            f"| {levels} | {r.suppressed:,} | "
            f"{r.utility['granularity']:.3f} | {arx_cells} | {an_cells} |",
            flush=True,
        )
    print("\nTimes: wall clock, and CPU time of the process (steadier on a shared machine).")
    print(
        "quality = ARX's granularity quality "
        "(1 − Loss, arithmetic mean over attributes; 1 = the input)."
    )


if __name__ == "__main__":
    main()
