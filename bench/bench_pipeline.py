"""`make bench`: the `workbook` command against a hand-written papermill + nbconvert loop.

In one run, on this machine and the same demo data (fresh copies, nothing processed):

(a) naive: the shell loop people write today. For every demo year, the `papermill` CLI on
    stages 01-05; then for every agency of the report year, the `papermill` CLI on the agency
    report and `jupyter nbconvert --to html --no-input` on its output, one after another; then
    the overview the same way.
(b) ours, cold: `workbook run --year <report year>` (it builds the same stages, years and
    reports; the analysis stages of earlier years too, for the trends).
(c) ours again with nothing changed: for the report year, then (after building the other
    years' reports too) for every demo year. Also the reports alone (`--stage agency_reports
    --stage overview --force`, the stages already built) against the loop's report part.
(d) a national-size year (`python -m helpers.demo --scale national`) end to end with ours.

Printed: wall times, the ratio (a)/(b), the per-report cost by phase (kernel, imports,
computation, plotting, HTML conversion; from our run manifest, and for the naive loop the
papermill and nbconvert CLI times), and the peak memory of each command's process tree.
Nothing here is a test: numbers vary 10-15 % between runs on the same machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


class PeakMemory:
    """Samples the resident memory of a process and all its descendants."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                root = psutil.Process(self.pid)
                procs = [root, *root.children(recursive=True)]
                total = 0
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        total += p.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            time.sleep(self.every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def timed(cmd: list[str], root: Path, log) -> tuple[float, int]:
    """Run a command in the project; return (seconds, peak bytes of its process tree)."""
    env = {**os.environ, "HRD_WORKBOOK_ROOT": str(root)}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    watch = PeakMemory(proc.pid)
    code = proc.wait()
    seconds = time.perf_counter() - started
    peak = watch.stop()
    if code != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed with exit code {code}; see the log")
    return seconds, peak


def fresh_project(base: Path, name: str, demo_args: list[str], log) -> Path:
    root = base / name
    for folder in ("config", "notebooks"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "data/raw/reference").mkdir(parents=True)
    shutil.copy(REPO / "data/raw/reference/agencies.csv", root / "data/raw/reference/")
    timed([str(BIN / "python"), "-m", "helpers.demo", *demo_args], root, log)
    return root


def agencies_of(root: Path, year: int) -> list[str]:
    code = (
        "from helpers.reports.tables import report_agencies; import sys; "
        f"print(' '.join(report_agencies({year}, __import__('pathlib').Path(sys.argv[1]))))"
    )
    out = subprocess.run(
        [str(BIN / "python"), "-c", code, str(root)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "HRD_WORKBOOK_ROOT": str(root)},
    )
    return out.stdout.split()


def naive_loop(root: Path, years: list[int], report_year: int, log) -> dict:
    """The hand-written loop: papermill CLI per notebook, nbconvert CLI per report."""
    papermill, jupyter = str(BIN / "papermill"), str(BIN / "jupyter")
    kernel = ["-k", "thai-hrd-workbook", "--no-progress-bar"]
    out = root / "naive"
    out.mkdir()
    started = time.perf_counter()
    peak = 0
    for year in years:
        for nb in (
            "01_clean_inputs",
            "02_compute_weights",
            "03_model_staff_satisfaction",
            "04_model_citizen_trust",
            "05_compute_indicators",
        ):
            cmd = [papermill, f"notebooks/{nb}.ipynb", str(out / f"{nb}_{year}.ipynb")]
            _, p = timed([*cmd, "-p", "year", str(year), *kernel], root, log)
            peak = max(peak, p)
    agencies = agencies_of(root, report_year)
    reports_started = time.perf_counter()
    paper, convert = [], []
    for agency in agencies:
        executed = out / f"report_{report_year}_{agency}.ipynb"
        cmd = [papermill, "notebooks/10_agency_report.ipynb", str(executed)]
        # -r keeps the code a string: -p would turn "01001" into the number 1001
        seconds, p = timed(
            [*cmd, "-p", "year", str(report_year), "-r", "agency", agency, *kernel], root, log
        )
        paper.append(seconds)
        peak = max(peak, p)
        seconds, p = timed(
            [jupyter, "nbconvert", "--to", "html", "--no-input", str(executed)], root, log
        )
        convert.append(seconds)
        peak = max(peak, p)
    executed = out / f"overview_{report_year}.ipynb"
    timed(
        [
            papermill,
            "notebooks/11_overview_report.ipynb",
            str(executed),
            "-p",
            "year",
            str(report_year),
            *kernel,
        ],
        root,
        log,
    )
    timed([jupyter, "nbconvert", "--to", "html", "--no-input", str(executed)], root, log)
    return {
        "seconds": time.perf_counter() - started,
        "reports_seconds": time.perf_counter() - reports_started,
        "peak": peak,
        "reports": len(agencies),
        "papermill_cli": statistics.median(paper),
        "nbconvert_cli": statistics.median(convert),
    }


def manifest(root: Path) -> dict:
    runs = sorted((root / "data/processed/runs").glob("*.json"))
    return json.loads(runs[-1].read_text(encoding="utf-8"))


def phases(m: dict) -> dict[str, float]:
    reports = [u for u in m["units"] if u["stage"] == "agency_reports" and u["status"] == "built"]
    keys = ("kernel", "imports", "computation", "plotting", "html")
    return {k: statistics.median(u["timings"].get(k, 0.0) for u in reports) for k in keys}


def gib(n: int) -> str:
    return f"{n / 2**30:.2f} GiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", default=None, help="demo agencies (default: config)")
    parser.add_argument("--year", type=int, default=2565, help="report year (B.E.)")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects")
    args = parser.parse_args(argv)

    base = Path(tempfile.mkdtemp(prefix="hrd-bench-"))
    log_path = base / "bench.log"
    years = [y for y in (2563, 2564, 2565) if y <= args.year]
    demo = ["--years", ",".join(map(str, years))]
    if args.agencies:
        demo += ["--agencies", str(args.agencies)]
    workbook = [str(BIN / "workbook"), "run", "--year", str(args.year)]
    results: dict[str, object] = {"date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count()}
    with log_path.open("w") as log:
        print(f"bench: projects and log under {base}", flush=True)
        ours = fresh_project(base, "ours", demo, log)
        cold, cold_peak = timed(workbook, ours, log)
        m = manifest(ours)
        n_reports = sum(
            1 for u in m["units"] if u["stage"] == "agency_reports" and u["status"] == "built"
        )
        warm, _ = timed(workbook, ours, log)
        reports_only, _ = timed(
            [*workbook, "--stage", "agency_reports", "--stage", "overview", "--force"], ours, log
        )
        everything = [str(BIN / "workbook"), "run"]
        timed(everything, ours, log)  # the other years' reports, for the next figure
        warm_all, _ = timed(everything, ours, log)
        results["ours"] = {
            "cold_seconds": cold,
            "warm_seconds": warm,
            "warm_all_years_seconds": warm_all,
            "reports_only_seconds": reports_only,
            "reports": n_reports,
            "peak": cold_peak,
            "phases": phases(m),
            "stages": m["stages"],
        }
        print(
            f"ours, cold:  {cold:7.1f} s for {n_reports} reports and their stages, "
            f"peak {gib(cold_peak)}",
            flush=True,
        )
        print(
            f"ours, again: {warm:7.1f} s (nothing changed; every demo year: {warm_all:.1f} s)",
            flush=True,
        )
        if not args.skip_naive:
            naive_root = fresh_project(base, "naive", demo, log)
            naive = naive_loop(naive_root, years, args.year, log)
            results["naive"] = naive
            print(
                f"naive loop:  {naive['seconds']:7.1f} s for {naive['reports']} reports, "
                f"peak {gib(naive['peak'])}",
                flush=True,
            )
            print(f"ratio naive / ours cold: {naive['seconds'] / cold:.1f}x", flush=True)
            print(
                f"reports alone (stages already built): naive {naive['reports_seconds']:.1f} s, "
                f"ours {reports_only:.1f} s, ratio {naive['reports_seconds'] / reports_only:.1f}x",
                flush=True,
            )
        ph = results["ours"]["phases"]
        print("per report (ours, median s): " + ", ".join(f"{k} {v:.2f}" for k, v in ph.items()))
        if not args.skip_naive:
            print(
                f"per report (naive, median s): papermill CLI {naive['papermill_cli']:.2f}, "
                f"nbconvert CLI {naive['nbconvert_cli']:.2f}"
            )
        if not args.skip_national:
            national = fresh_project(
                base, "national", ["--scale", "national", "--years", str(args.year)], log
            )
            seconds, peak = timed(workbook, national, log)
            nm = manifest(national)
            reports = sum(1 for u in nm["units"] if u["stage"] == "agency_reports")
            results["national"] = {
                "seconds": seconds,
                "peak": peak,
                "reports": reports,
                "stages": nm["stages"],
            }
            print(
                f"national year: {seconds:7.1f} s end to end ({reports} reports), peak {gib(peak)}",
                flush=True,
            )
    (base / "bench.json").write_text(json.dumps(results, indent=1, default=str))
    print(f"results: {base / 'bench.json'}")
    if not args.keep:
        for name in ("ours", "naive", "national"):
            shutil.rmtree(base / name, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
