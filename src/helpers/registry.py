"""The agency registry (``data/raw/reference/agencies.csv``) and matching raw agency names to it.

The registry is built from ``data/raw/reference/source/thai_agencies.csv`` (real ministries and
departments; see ``data/raw/README.md`` for provenance) by ``python -m helpers.registry``.
Headcounts in it are SYNTHETIC: per-department headcounts by position level are not published
in machine-readable form.
"""

from __future__ import annotations

import argparse
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import config, paths
from helpers.errors import StructuralError
from helpers.thai import clean_text, match_key, to_arabic_digits

SOURCE = Path("data/raw/reference/source/thai_agencies.csv")
UNIT_KINDS = ("department_krom", "office_of_permanent_secretary")
# Foreign Affairs departments have no budget code of their own (their budget is consolidated
# under the Office of the Permanent Secretary); we number them 04101, 04102, ...
MFA_CODE_BASE = 4100
# Names in force in FY2563-2565 where the source gives a later name (source `note` column).
PERIOD_NAMES = {
    "09008": ("กรมส่งเสริมคุณภาพสิ่งแวดล้อม", "Department of Environmental Quality Promotion"),
}
# Earlier names kept as aliases so returns that use them still match.
EXTRA_ALIASES = {
    "20334": ["สำนักงานส่งเสริมการศึกษานอกระบบและการศึกษาตามอัธยาศัย", "สำนักงาน กศน.", "กศน."],
}
# Share of a department's staff at each position level (typical shape, before noise).
LEVEL_SHARES = {
    "exec_junior": 0.0015, "exec_senior": 0.0005,
    "dir_junior": 0.012, "dir_senior": 0.004,
    "acad_practitioner": 0.20, "acad_professional": 0.24, "acad_senior_professional": 0.10,
    "acad_expert": 0.008, "acad_advisory": 0.001,
    "gen_operational": 0.17, "gen_experienced": 0.13, "gen_senior": 0.12, "gen_special": 0.013,
}  # fmt: skip
HEADCOUNT_NOTE = "synthetic (demo): not official headcounts"


def headcount_columns() -> list[str]:
    return [f"hc_{level}" for level in LEVEL_SHARES]


def _split_headcount(total: int, rng: np.random.Generator) -> dict[str, int]:
    levels = list(LEVEL_SHARES)
    shares = rng.dirichlet(np.array([LEVEL_SHARES[lv] for lv in levels]) * 400)
    raw = shares * total
    counts = np.floor(raw).astype(int)
    counts[np.argsort(raw - counts)[::-1][: total - counts.sum()]] += 1
    result = dict(zip(levels, counts.tolist(), strict=True))
    # A department has one head (บริหารระดับสูง) and two to four deputies (บริหารระดับต้น).
    for level, wanted in (("exec_senior", 1), ("exec_junior", int(rng.integers(2, 5)))):
        shift = wanted - result[level]
        result[level] = wanted
        biggest = max(result, key=result.get)
        result[biggest] -= shift
    return result


def build_registry(source: Path | None = None, seed: int = 2563) -> pd.DataFrame:
    """The registry table, from the copied public agency list plus synthetic headcounts."""
    source = source or paths.resolve(SOURCE)
    src = pd.read_csv(source, dtype=str, keep_default_na=False)
    units = src[(src["level"] == "agency") & src["name_kind"].isin(UNIT_KINDS)].copy()
    rng = np.random.default_rng(seed)
    rows = []
    mfa_next = MFA_CODE_BASE
    for unit in units.itertuples(index=False):
        code = unit.agency_code_bb
        code_note = "budget code"
        if not code:
            mfa_next += 1
            code = f"{mfa_next:05d}"
            code_note = "code assigned by this project (no budget code of its own)"
        name_th, name_en = PERIOD_NAMES.get(code, (unit.agency_th, unit.agency_en))
        aliases = list(EXTRA_ALIASES.get(code, []))
        if (name_th, name_en) != (unit.agency_th, unit.agency_en):
            aliases += [unit.agency_th, unit.agency_en]
        aliases += [a.strip() for a in unit.abbr.split("/") if a.strip()]
        # Department sizes are skewed: many of a few hundred, a few of tens of thousands.
        total = int(np.clip(rng.lognormal(np.log(3500), 1.15), 60, 60000))
        rows.append(
            {
                "agency_code": code,
                "name_th": name_th,
                "name_en": name_en,
                "ministry_code": unit.ministry_code_bb,
                "ministry_th": unit.ministry_th,
                "ministry_en": unit.ministry_en,
                "unit_kind": unit.name_kind,
                "aliases": ";".join(dict.fromkeys(aliases)),
                "code_source": code_note,
                "en_name_source": unit.en_source or "",
                **{f"hc_{k}": v for k, v in _split_headcount(total, rng).items()},
                "headcount_total": total,
                "headcount_source": HEADCOUNT_NOTE,
            }
        )
    registry = pd.DataFrame(rows).sort_values("agency_code", ignore_index=True)
    if registry["agency_code"].duplicated().any():
        dupes = registry.loc[registry["agency_code"].duplicated(), "agency_code"].tolist()
        raise ValueError(f"Agency codes are not unique in {source}: {dupes}")
    return registry


def load_registry(root: Path | None = None) -> pd.DataFrame:
    """The registry, as committed in ``data/raw/reference/agencies.csv``."""
    path = paths.resolve(config.pipeline(root)["paths"]["registry"], root)
    if not path.is_file():
        raise FileNotFoundError(
            f"Agency registry {path} is missing; rebuild it with `python -m helpers.registry`."
        )
    registry = pd.read_csv(
        path, dtype={"agency_code": str, "ministry_code": str}, keep_default_na=False
    )
    for position, code in enumerate(registry["agency_code"]):
        if not re.fullmatch(r"[0-9]{5}", code):  # codes name report files: nothing else passes
            raise StructuralError(
                "an agency code is not a five-digit code",
                file=path,
                row=position + 2,
                column="agency_code",
                value=code,
                expected="five digits, such as 03007 (the Budget Bureau's agency code)",
            )
    for column in [*headcount_columns(), "headcount_total"]:
        registry[column] = registry[column].astype("int64")
    return registry


def normalise_code(value: str) -> str | None:
    """'3007', '03007', '๐๓๐๐๗' -> '03007'; None when the value is not a code."""
    digits = to_arabic_digits(clean_text(value)).replace(" ", "")
    if digits.endswith(".0"):  # a code that went through a spreadsheet as a number
        digits = digits[:-2]
    if digits.isdigit() and 1 <= len(digits) <= 5:
        return digits.zfill(5)
    return None


def _expand_abbreviations(text: str, rules: list[tuple[str, str]]) -> str:
    for short, full in rules:
        text = text.replace(short, full)
    return text


@dataclass
class AgencyMatcher:
    """Finds the registry code for an agency written as a code, a Thai or English name,
    an abbreviation, or a variant with extra spaces or common abbreviations."""

    registry: pd.DataFrame
    abbreviations: tuple[tuple[str, str], ...] = (
        ("สนง.", "สำนักงาน"),
        ("สป.", "สำนักงานปลัด"),
        ("ก.", "กระทรวง"),
    )

    def __post_init__(self) -> None:
        self._by_key: dict[str, str] = {}
        self._names: dict[str, str] = {}
        codes = set(self.registry["agency_code"])
        for row in self.registry.itertuples(index=False):
            names = [row.name_th, row.name_en, *[a for a in row.aliases.split(";") if a]]
            for name in names:
                self._by_key.setdefault(self._key(name), row.agency_code)
            self._names[row.agency_code] = row.name_th
        self._codes = codes
        self._cache: dict[str, str | None] = {}

    def _key(self, value: str) -> str:
        return match_key(_expand_abbreviations(clean_text(value), list(self.abbreviations)))

    def match(self, value: str) -> str | None:
        """The agency code, or None when nothing in the registry matches."""
        if value not in self._cache:
            code = normalise_code(value)
            if code is not None:
                self._cache[value] = code if code in self._codes else None
            else:
                self._cache[value] = self._by_key.get(self._key(value))
        return self._cache[value]

    def suggestions(self, value: str, n: int = 3) -> list[str]:
        """Closest registry entries as 'code name' strings, best first."""
        key = self._key(value)
        keys = list(self._by_key)
        close = difflib.get_close_matches(key, keys, n=n * 3, cutoff=0.5)
        seen: list[str] = []
        for k in close:
            code = self._by_key[k]
            if code not in seen:
                seen.append(code)
        return [f"{code} {self._names[code]}" for code in seen[:n]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.registry",
        description="Rebuild data/raw/reference/agencies.csv from the copied public agency list.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="only check that the committed registry equals a rebuild",
    )
    args = parser.parse_args(argv)
    target = paths.resolve(config.pipeline()["paths"]["registry"])
    built = build_registry()
    if args.check:
        same = target.is_file() and load_registry().equals(built)
        print("registry is up to date" if same else f"{target} differs from a rebuild")
        return 0 if same else 1
    from helpers.io import write_csv_atomic

    write_csv_atomic(built, target)
    print(f"wrote {target} ({len(built)} agencies)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
