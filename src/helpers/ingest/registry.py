"""The agency registry (``data/raw/reference/agencies.csv``) and matching raw agency names to it.

The registry is built from ``data/raw/reference/source/thai_agencies.csv`` (real ministries and
departments; see ``data/raw/README.md`` for provenance) by ``python -m helpers.ingest.registry``.
Headcounts in it are SYNTHETIC: per-department headcounts by position level are not published
in machine-readable form.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pythainlp.util import normalize as thai_normalize
from rapidfuzz import fuzz, process

from helpers.core import config, paths
from helpers.core.atomic import write_csv_atomic
from helpers.core.errors import StructuralError
from helpers.core.thai import clean_text, match_key, to_arabic_digits

SOURCE = Path("data/raw/reference/source/thai_agencies.csv")
UNIT_KINDS = ("department_krom", "office_of_permanent_secretary")
# Foreign Affairs departments have no budget code of their own (their budget is consolidated
# under the Office of the Permanent Secretary); we number them 04101, 04102, ...
MFA_CODE_BASE = 4100
# Names in force in FY2563-2565 where the source gives a later name (source `note` column).
PERIOD_NAMES = {
    "09008": ("กรมส่งเสริมคุณภาพสิ่งแวดล้อม", "Department of Environmental Quality Promotion"),
}
# Aliases the source lacks. 20334: its earlier names, so returns that use them still match.
# 17005 and 07012: the abbreviations these departments are widely known by (กสร., กสส.), which
# the source gives to 03007 กรมสรรพากร and 03006 กรมสรรพสามิต. Both agencies keep them, so a
# return written with one is set aside with both candidates (ambiguous) rather than assigned
# to either: see tests/unit/ingest/test_registry.py (the list of shared keys).
EXTRA_ALIASES = {
    "20334": ["สำนักงานส่งเสริมการศึกษานอกระบบและการศึกษาตามอัธยาศัย", "สำนักงาน กศน.", "กศน."],
    # The source gives กสร. to กรมสรรพากร and กสส. to กรมสรรพสามิต; both are in common use for
    # these departments too: shared, a bare abbreviation is set aside with both candidates.
    "17005": ["กสร."],
    "07012": ["กสส."],
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
            f"Agency registry {path} is missing; rebuild it with "
            "`python -m helpers.ingest.registry`."
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


# How a value was matched. The first six assign a code; the others set the row aside.
ASSIGNED = ("code", "name", "alias", "english", "code_and_name", "fuzzy")
NOT_ASSIGNED = ("ambiguous", "conflict", "unknown")
# A code beside a name: four or five digits before or after it ('03007 กรมสรรพากร',
# '03007-กรมสรรพากร', 'กรมสรรพากร (03007)'). Shorter numbers are more likely list numbering.
_CODE_FIRST = re.compile(r"^[(\[]?\s*(?P<code>[0-9]{4,5})\s*[)\]]?\s*[-–—:.,/|]*\s*(?P<name>.+)$")
_CODE_LAST = re.compile(r"^(?P<name>.+?)\s*[-–—:,/|]*\s*[(\[]?\s*(?P<code>[0-9]{4,5})\s*[)\]]?$")
_LETTER = re.compile(r"[^\W\d_]")
_THE = re.compile(r"^the\s+", re.IGNORECASE)
# Values longer than this are not agency names: they are not compared by similarity.
_FUZZY_MAX_LENGTH = 200
_CACHE_LIMIT = 100_000


@dataclass(frozen=True)
class AgencyMatch:
    """How one raw agency value was read.

    ``how`` is one of :data:`ASSIGNED` (``code`` is set) or :data:`NOT_ASSIGNED` (``code`` is
    None and ``candidates`` names the agencies the value might mean, for the ledger):

    - ``code``: a registry code ('03007', '3007', '๐๓๐๐๗');
    - ``name`` / ``english`` / ``alias``: the Thai name, the English name or an alias
      (abbreviation, name of an earlier period) after normalisation (:meth:`AgencyMatcher.key`),
      optionally with the agency's ministry before or after it;
    - ``code_and_name``: a code with a name that names the same agency;
    - ``fuzzy``: a name similar enough to one agency's and clearly closer to it than to any
      other (``score`` is the similarity, 0-100; ``candidates`` the closest agencies, the
      assigned one first);
    - ``ambiguous``: the name (or alias) belongs to more than one agency;
    - ``conflict``: a code with a name of another agency, a code that is not in the registry
      with a name that is, or a name with another ministry than its own;
    - ``unknown``: nothing matches well enough, or a code is not in the registry, or the name
      beside a code resembles no agency (``candidates``: the closest agencies).
    """

    code: str | None
    how: str
    score: float | None = None
    candidates: tuple[str, ...] = ()

    @property
    def assigned(self) -> bool:
        return self.code is not None


_NAME_AND_ALIAS = re.compile(r"^(?P<name>.+?)\s*[(（](?P<alias>[^()（）]+)[)）]$")


@dataclass
class AgencyMatcher:
    """Finds the registry code for an agency written as a code, a Thai or English name, an
    abbreviation, a code with a name, a name with its ministry, or a typing variant of these;
    never assigns a value that fits two agencies or whose code and name disagree.

    Matching is on :meth:`key`: invisible marks, spacing, case and punctuation folded, Thai
    typing variants normalised (PyThaiNLP's ``normalize``: เเ for แ, repeated or misordered
    vowels and tone marks) and the ``abbreviations`` expanded. A key no name or alias has is
    compared by similarity (rapidfuzz ``fuzz.ratio`` on the keys, 0-100): it is assigned when
    the closest agency scores at least ``fuzzy_threshold`` and beats every other agency by at
    least ``fuzzy_margin``. A name beside a valid code only has to be closer to that code's
    agency than to any other, scoring at least ``name_beside_code_threshold``.
    """

    registry: pd.DataFrame
    abbreviations: tuple[tuple[str, str], ...] = (
        ("สนง.", "สำนักงาน"),
        ("สป.", "สำนักงานปลัด"),
        ("ก.", "กระทรวง"),
        ("Dept", "Department"),
    )
    fuzzy_threshold: float = 90.0
    fuzzy_margin: float = 5.0
    name_beside_code_threshold: float = 70.0
    n_candidates: int = 3

    def __post_init__(self) -> None:
        # Abbreviations are expanded only where a word starts ('กบก.' keeps its 'ก.').
        self._abbreviation_rules = [
            (
                re.compile(
                    r"(?<![\u0e01-\u0e4eA-Za-z])"
                    + re.escape(short)
                    + (r"(?![A-Za-z])" if short[-1:].isascii() and short[-1:].isalpha() else ""),
                    re.IGNORECASE if short.isascii() else 0,
                ),
                full,
            )
            for short, full in self.abbreviations
        ]
        self._by_key: dict[str, dict[str, str]] = {}  # key -> {code: how}
        self._names: dict[str, str] = {}
        self._ministry_of: dict[str, str] = {}
        ministries: dict[str, str] = {}  # ministry key -> ministry code
        has_ministry = {"ministry_code", "ministry_th", "ministry_en"} <= set(self.registry)
        for row in self.registry.itertuples(index=False):
            code = row.agency_code
            self._names[code] = row.name_th
            aliases = getattr(row, "aliases", "")
            aliases = aliases.split(";") if isinstance(aliases, str) else []
            names = [("name", row.name_th), ("english", getattr(row, "name_en", ""))]
            names += [("alias", a) for a in aliases]
            for how, name in names:
                if isinstance(name, str) and (key := self.key(name)):
                    self._by_key.setdefault(key, {}).setdefault(code, how)
            if has_ministry:
                self._ministry_of[code] = row.ministry_code
        if has_ministry:
            columns = ["ministry_code", "ministry_th", "ministry_en"]
            for ministry, name_th, name_en in self.registry[columns].drop_duplicates().to_numpy():
                for name in self._ministry_names(name_th, name_en):
                    if key := self.key(name):
                        ministries.setdefault(key, ministry)
        self._ministry_keys = ministries
        self._ministries = sorted(ministries.items(), key=lambda item: -len(item[0]))
        self._fuzzy_keys = list(self._by_key)
        self._fuzzy_codes = [tuple(self._by_key[k]) for k in self._fuzzy_keys]
        self._codes = set(self._names)
        self._cache: dict[object, AgencyMatch] = {}

    @staticmethod
    def _ministry_names(name_th: str, name_en: str) -> list[str]:
        names = [name_th, name_en]
        if name_th.startswith("กระทรวงการ"):  # ก.คลัง, กระทรวงคลัง for กระทรวงการคลัง
            names.append("กระทรวง" + name_th.removeprefix("กระทรวงการ"))
        return [n for n in names if n]

    def key(self, value: object) -> str:
        """The matching key of an agency name (see the class docstring)."""
        text = clean_text(value)
        if not text.isascii():
            text = thai_normalize(text)
        text = _THE.sub("", text)
        for pattern, full in self._abbreviation_rules:
            text = pattern.sub(full, text)
        return match_key(text)

    def shared_keys(self) -> dict[str, tuple[str, ...]]:
        """Keys (of a name, English name or alias) that more than one agency has: a value
        written this way is ``ambiguous`` unless its code or ministry says which agency."""
        return {k: tuple(sorted(v)) for k, v in self._by_key.items() if len(v) > 1}

    def label(self, code: str) -> str:
        """'03007 กรมสรรพากร'."""
        return f"{code} {self._names[code]}"

    # ------------------------------------------------------------------ matching

    def match(self, value: str) -> str | None:
        """The agency code, or None unless the value is assigned to one agency (see resolve)."""
        return self.resolve(value).code

    def resolve(self, value: str) -> AgencyMatch:
        """How the value reads against the registry: the code if assigned, and why (or why not)."""
        try:
            return self._cache[value]
        except KeyError:
            pass
        except TypeError:  # unhashable: resolve without caching
            return self._resolve(value)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        result = self._cache[value] = self._resolve(value)
        return result

    def _resolve(self, value: object) -> AgencyMatch:
        text = to_arabic_digits(clean_text(value))
        code = normalise_code(text)
        if code is not None:
            if code in self._codes:
                return AgencyMatch(code, "code")
            return AgencyMatch(None, "unknown")
        if not _LETTER.search(text):
            return AgencyMatch(None, "unknown")
        for pattern in (_CODE_FIRST, _CODE_LAST):
            found = pattern.match(text)
            if found and _LETTER.search(found["name"]):
                return self._code_and_name(found["code"].zfill(5), found["name"])
        match = self._by_name(text)[0]
        if not match.assigned and (found := _NAME_AND_ALIAS.match(text)):
            return self._name_and_alias(found["name"], found["alias"]) or match
        return match

    def _name_and_alias(self, name: str, alias: str) -> AgencyMatch | None:
        """'กรมสรรพากร (กสร.)', as drop-down lists write a name with its abbreviation: the name's
        agency when the abbreviation is one of its own (even one it shares), else None."""
        named = self._by_name(name)[0]
        short = self._by_name(alias)[0]
        if named.assigned and named.how != "fuzzy":
            codes = {short.code} if short.assigned else {c.split()[0] for c in short.candidates}
            if named.code in codes and short.how in {"alias", "name", "ambiguous"}:
                return AgencyMatch(named.code, "name")
        return None

    def _exact(self, key: str) -> tuple[dict[str, str], str | None] | None:
        """({code: how}, ministry code or None) for a key, with the ministry stripped if needed."""
        if key in self._by_key:
            return self._by_key[key], None
        for mkey, ministry in self._ministries:
            for rest in (key.removeprefix(mkey), key.removesuffix(mkey)):
                if rest != key and rest in self._by_key:
                    return self._by_key[rest], ministry
        return None

    def _queries(self, key: str) -> list[tuple[str, str | None]]:
        """The key, and what is left with a ministry taken off its start or end."""
        queries: list[tuple[str, str | None]] = [(key, None)]
        for mkey, ministry in self._ministries:
            for rest in (key.removeprefix(mkey), key.removesuffix(mkey)):
                if rest != key and rest:
                    queries.append((rest, ministry))
        return queries

    def _scores(self, key: str) -> list[tuple[str, float]]:
        """(code, similarity 0-100) of the agencies closest to the key, best first."""
        best: dict[str, float] = {}
        if not key or len(key) > _FUZZY_MAX_LENGTH:
            return []
        for query, ministry in self._queries(key):
            found = process.extract(
                query, self._fuzzy_keys, scorer=fuzz.ratio, limit=None, score_cutoff=50
            )
            for _, score, index in found:
                for code in self._fuzzy_codes[index]:
                    if ministry is not None and self._ministry_of.get(code) != ministry:
                        continue
                    if score > best.get(code, 0.0):
                        best[code] = score
        return sorted(best.items(), key=lambda item: (-item[1], item[0]))

    def _labels(self, codes) -> tuple[str, ...]:
        return tuple(self.label(c) for c in codes)

    def _by_name(self, text: str) -> tuple[AgencyMatch, list[tuple[str, float]]]:
        """A name without a code; with the similarity ranking when it was needed."""
        key = self.key(text)
        exact = self._exact(key)
        if exact is not None:
            found, ministry = exact
            codes = sorted(found)
            if ministry is not None:
                same = [c for c in codes if self._ministry_of.get(c) == ministry]
                if not same:  # กรมสรรพากร กระทรวงมหาดไทย
                    return AgencyMatch(None, "conflict", None, self._labels(codes)), []
                codes = same
            if len(codes) == 1:
                return AgencyMatch(codes[0], found[codes[0]]), []
            return AgencyMatch(None, "ambiguous", None, self._labels(codes)), []
        ranked = self._scores(key)
        closest = self._labels(c for c, _ in ranked[: self.n_candidates])
        if not ranked:
            return AgencyMatch(None, "unknown"), ranked
        (code, score), runner_up = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)
        # A ministry alone names none of its departments (it resembles its own office of the
        # permanent secretary, ~85-90).
        if (
            key not in self._ministry_keys
            and score >= self.fuzzy_threshold
            and score - runner_up >= self.fuzzy_margin
        ):
            return AgencyMatch(code, "fuzzy", round(score, 1), closest), ranked
        return AgencyMatch(None, "unknown", round(score, 1), closest), ranked

    def _code_and_name(self, code: str, name: str) -> AgencyMatch:
        named, ranked = self._by_name(name)
        named_codes = [c.split(" ", 1)[0] for c in named.candidates]
        if named.assigned:
            named_codes = [named.code]
        if code not in self._codes:  # a code of no agency: the name alone does not decide
            how = "conflict" if named.assigned else "unknown"
            return AgencyMatch(None, how, named.score, self._labels(named_codes))
        mine = self.label(code)
        ministry = self._ministry_keys.get(self.key(name))
        if ministry is not None:  # '03007 กระทรวงการคลัง': the code's ministry, or not
            if self._ministry_of.get(code) == ministry:
                return AgencyMatch(code, "code_and_name")
            return AgencyMatch(None, "conflict", None, (mine,))
        if named.assigned:
            if named.code == code:
                return AgencyMatch(code, "code_and_name", named.score)
            return AgencyMatch(None, "conflict", named.score, (mine, self.label(named.code)))
        others = tuple(self.label(c) for c in named_codes if c != code)
        if named.how == "ambiguous" and code in named_codes:  # the code says which one
            return AgencyMatch(code, "code_and_name")
        if named.how in ("ambiguous", "conflict"):
            return AgencyMatch(None, "conflict", None, (mine, *others))
        # The name matches nothing well enough by itself: it confirms the code when the code's
        # agency is the closest to it; it contradicts it when another agency is closer.
        scores = dict(ranked)
        mine_score = round(scores.get(code, 0.0), 1)
        top = ranked[0][1] if ranked else 0.0
        if mine_score >= self.name_beside_code_threshold and scores.get(code, 0.0) >= top:
            return AgencyMatch(code, "code_and_name", mine_score)
        how = "conflict" if top >= self.name_beside_code_threshold else "unknown"
        return AgencyMatch(None, how, mine_score, (mine, *others))

    def suggestions(self, value: str, n: int = 3) -> list[str]:
        """Closest registry entries as 'code name' strings, best first: the candidates of an
        ambiguous or conflicting value, then the agencies most similar to it."""
        result = self.resolve(value)
        found = list(result.candidates)
        if len(found) < n:
            for code, _ in self._scores(self.key(value)):
                if self.label(code) not in found:
                    found.append(self.label(code))
                if len(found) >= n:
                    break
        return found[:n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.ingest.registry",
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
    write_csv_atomic(built, target)
    print(f"wrote {target} ({len(built)} agencies)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
