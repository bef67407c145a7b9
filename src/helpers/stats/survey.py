"""Design-based survey estimates in the manner of R's ``survey`` package.

A :class:`Design` holds a data frame with its sampling weights and, optionally, strata, clusters
(primary sampling units, PSUs) and a finite population correction. Standard errors come from
Taylor linearisation and the variance formula of R's ``svyrecvar`` (with replacement at the
first stage, times the finite population correction)::

    var = sum_h (1 - f_h) * n_h / (n_h - 1) * sum_i (z_hi - zbar_h) ** 2

where ``z_hi`` is the total of the weighted linearised variable over PSU ``i`` of stratum ``h``,
``n_h`` the number of PSUs in stratum ``h`` and ``f_h = n_h / N_h`` its sampling fraction.

Conventions, as in R ``survey`` unless said otherwise:

- Cluster ids are read within strata (R's ``nest=TRUE``): one id in two strata is two PSUs.
- ``fpc`` holds population sizes ``N_h`` (in PSUs) when any value is above 1, otherwise
  sampling fractions ``f_h`` (R's rule). It must be constant within a stratum.
- A stratum with a single PSU is an error (R's default ``lonely.psu="fail"``).
  ``lonely_psu="adjust"`` centres that PSU's total at the mean PSU total of the whole sample
  (current R; older R centred at zero); ``"certainty"`` gives it no variance. A stratum sampled
  completely (``f_h = 1``) contributes no variance and is never an error.
- Missing values of the analysed variable are left out and the design kept whole (R's
  ``na.rm=TRUE``); :meth:`Design.subset` works the same way (domain estimation).
- After :meth:`Design.rake`, the weighted linearised variable ``w * u`` is replaced by
  ``w * (u - X b)``: ``X`` holds the indicators of every raking margin and ``b`` is the least
  squares fit of ``u`` weighted by the weights before raking. This is R's calibration projection
  (``calibrate(..., calfun="raking")``; the same as ``postStratify`` for one margin) and agrees
  with R's ``rake()`` variance whenever the weights before raking are equal, as in R's published
  ``apiclus1`` example. Calibrated variables therefore get a standard error of zero.
  :meth:`Design.calibrated_on` records the same projection for weights calibrated elsewhere
  (post-stratified on cells whose totals they reproduce) without touching the weights.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Z_95 = 1.959963984540054
LonelyPsu = Literal["fail", "adjust", "certainty"]
_LONELY_CHOICES = ("fail", "adjust", "certainty")


class SurveyError(ValueError):
    """A design or an estimate that cannot be set up from the data as given."""


@dataclass(frozen=True)
class Estimate:
    """A design-based estimate with its standard error and normal 95 % interval.

    Attributes
    ----------
    estimate : float
        The point estimate.
    se : float
        Its design-based standard error.
    ci_low, ci_high : float
        Normal 95 % interval, ``estimate -/+ 1.96 * se`` (not clipped).
    n : int
        The unweighted number of non-missing observations used.
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int

    @classmethod
    def from_variance(cls, estimate: float, variance: float, n: int) -> Estimate:
        """An estimate from its variance; a negative variance (rounding) counts as 0.

        Parameters
        ----------
        estimate : float
            The point estimate.
        variance : float
            Its variance.
        n : int
            Unweighted number of observations used.

        Returns
        -------
        Estimate
            With ``se = sqrt(variance)`` and the normal 95 % interval.
        """
        estimate, se = float(estimate), float(np.sqrt(max(variance, 0.0)))
        return cls(estimate, se, estimate - Z_95 * se, estimate + Z_95 * se, int(n))


# ----------------------------------------------------------------------------- design structure


@dataclass(frozen=True)
class _Structure:
    """What the variance formula needs from strata, clusters and fpc; shared by derived designs."""

    psu: np.ndarray  # PSU number of each row, 0 .. n_psu - 1
    psu_stratum: np.ndarray  # stratum number of each PSU
    psus_in_stratum: np.ndarray  # n_h
    fpc_factor: np.ndarray  # 1 - f_h
    lonely_psu: str


@dataclass(frozen=True)
class _Raking:
    """One raking step, kept to project the linearised variable as R does."""

    codes: tuple[np.ndarray, ...]  # category number of each row, per margin
    offsets: np.ndarray  # first column of each margin in the stacked indicator matrix
    base_weights: np.ndarray  # weights before raking (the regression weights)
    raked_weights: np.ndarray
    gram_solver: np.ndarray  # pseudo-inverse of X' diag(base) X, Jacobi-scaled

    def residualise(self, z: np.ndarray) -> np.ndarray:
        """``z = w * u`` -> ``w * (u - X b)``, ``b`` the base-weighted least squares fit of u."""
        u = z / self.raked_weights
        cross = np.concatenate(
            [
                np.bincount(codes, self.base_weights * u, minlength=size)
                for codes, size in zip(self.codes, np.diff(self.offsets), strict=True)
            ]
        )
        coef = self.gram_solver @ cross
        fitted = sum(
            coef[start + codes] for codes, start in zip(self.codes, self.offsets[:-1], strict=True)
        )
        return self.raked_weights * (u - fitted)


def _column(frame: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in frame.columns:
        shown = ", ".join(map(str, list(frame.columns)[:20]))
        raise SurveyError(f"unknown column '{name}' given as {role}; the frame has: {shown}")
    return frame[name]


def _numeric(series: pd.Series, role: str) -> np.ndarray:
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        raise SurveyError(f"{role} column '{series.name}' is not numeric ({series.dtype})")
    return series.to_numpy(dtype=float, na_value=np.nan)


def _codes(series: pd.Series, role: str) -> np.ndarray:
    if series.isna().any():
        raise SurveyError(
            f"{role} column '{series.name}' has {int(series.isna().sum())} missing values"
        )
    return pd.factorize(series, sort=True)[0]


def _checked_weights(series: pd.Series) -> np.ndarray:
    weights = _numeric(series, "weight")
    bad = ~(weights > 0)  # also catches NaN
    if bad.any():
        first = np.flatnonzero(bad)[0]
        raise SurveyError(
            f"weights must be positive and present: {int(bad.sum())} rows of '{series.name}' "
            f"are zero, negative or missing (first at index {series.index[first]!r}: "
            f"{series.iloc[first]!r})"
        )
    return weights


def _fpc_factor(
    fpc: pd.Series | None, stratum: np.ndarray, psus_in_stratum: np.ndarray
) -> np.ndarray:
    """``1 - f_h`` per stratum from population sizes or sampling fractions (R's rule)."""
    if fpc is None:
        return np.ones(len(psus_in_stratum))
    values = _numeric(fpc, "fpc")
    if np.isnan(values).any() or (values <= 0).any():
        raise SurveyError(f"fpc column '{fpc.name}' must be positive and present in every row")
    per_stratum = pd.Series(values).groupby(stratum)
    if (per_stratum.nunique() > 1).any():
        raise SurveyError(f"fpc column '{fpc.name}' varies within a stratum")
    first = per_stratum.first().to_numpy()
    if (values > 1).any():
        if (values < 1).any():
            raise SurveyError(
                f"fpc column '{fpc.name}' mixes population sizes (> 1) and fractions (< 1)"
            )
        if (first < psus_in_stratum).any():
            raise SurveyError(
                f"fpc column '{fpc.name}': a population size is smaller than the number of "
                "PSUs sampled in its stratum"
            )
        fraction = psus_in_stratum / first
    else:
        fraction = first
    return 1.0 - fraction


def _structure(
    frame: pd.DataFrame,
    strata: str | None,
    cluster: str | None,
    fpc: str | None,
    lonely_psu: str,
) -> _Structure:
    if lonely_psu not in _LONELY_CHOICES:
        raise SurveyError(f"lonely_psu must be one of {_LONELY_CHOICES}, not {lonely_psu!r}")
    n = len(frame)
    stratum = (
        _codes(_column(frame, strata, "strata"), "strata") if strata else np.zeros(n, dtype=np.intp)
    )
    if cluster:
        cluster_codes = _codes(_column(frame, cluster, "cluster"), "cluster")
        psu, psu_first_row = _first_rows(stratum * (cluster_codes.max() + 1) + cluster_codes)
    else:
        psu, psu_first_row = np.arange(n), np.arange(n)
    psu_stratum = stratum[psu_first_row]
    psus_in_stratum = np.bincount(psu_stratum)
    fpc_factor = _fpc_factor(_column(frame, fpc, "fpc") if fpc else None, stratum, psus_in_stratum)
    _check_lonely(psus_in_stratum, fpc_factor, lonely_psu, frame, strata, stratum)
    return _Structure(psu, psu_stratum, psus_in_stratum, fpc_factor, lonely_psu)


def _first_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Renumber ``keys`` 0..k-1 and give the first row of each."""
    _, first_row, number = np.unique(keys, return_index=True, return_inverse=True)
    return number, first_row


def _check_lonely(
    psus_in_stratum: np.ndarray,
    fpc_factor: np.ndarray,
    lonely_psu: str,
    frame: pd.DataFrame,
    strata: str | None,
    stratum: np.ndarray,
) -> None:
    lonely = np.flatnonzero((psus_in_stratum == 1) & (fpc_factor > 1e-7))
    if lonely_psu != "fail" or not len(lonely):
        return
    names = (
        [frame[strata].iloc[np.flatnonzero(stratum == h)[0]] for h in lonely[:10]]
        if strata
        else ["(whole sample)"]
    )
    raise SurveyError(
        f"{len(lonely)} strata have a single PSU, so their variance cannot be estimated: "
        f"{', '.join(map(str, names))}. Merge them with a similar stratum, or pass "
        "lonely_psu='adjust' (centre at the sample mean PSU total, like R) or "
        "lonely_psu='certainty' (no variance)"
    )


# ----------------------------------------------------------------------------- the design


class Design:
    """A survey design over ``frame``: weights, and optional strata, clusters and fpc.

    ``Design(frame, weight="pw", strata="stype", cluster="dnum", fpc="fpc")``. Derived designs
    (``rake``, ``subset``) share the frame and the design structure; nothing is copied. See the
    module docstring for the variance formula and the conventions.

    Parameters
    ----------
    frame : DataFrame
        One row per respondent.
    weight : str
        Column of sampling weights; every weight must be present and positive.
    strata : str, optional
        Column of stratum labels, without missing values. Default: one stratum.
    cluster : str, optional
        Column of PSU ids, read within strata, without missing values. Default: every row is
        its own PSU.
    fpc : str, optional
        Column of finite population corrections, constant within a stratum: population sizes
        ``N_h`` in PSUs when any value is above 1, otherwise sampling fractions ``f_h``.
        Default: none (sampling with replacement).
    lonely_psu : {"fail", "adjust", "certainty"}, default "fail"
        What to do with a stratum that has a single PSU (and is not sampled completely):
        raise, centre its PSU total at the mean PSU total of the sample, or give it no
        variance.

    Raises
    ------
    SurveyError
        On an unknown column, a non-numeric, missing, zero or negative weight, missing strata
        or cluster ids, an fpc that is missing, not positive, varies within a stratum, mixes
        sizes and fractions or is smaller than the PSUs sampled, an unknown ``lonely_psu``, or
        a single-PSU stratum with ``lonely_psu="fail"``.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        weight: str,
        *,
        strata: str | None = None,
        cluster: str | None = None,
        fpc: str | None = None,
        lonely_psu: LonelyPsu = "fail",
    ) -> None:
        self._frame = frame
        self._weights = _checked_weights(_column(frame, weight, "weight"))
        self._structure = _structure(frame, strata, cluster, fpc, lonely_psu)
        self._domain = np.ones(len(frame), dtype=bool)
        self._rakings: tuple[_Raking, ...] = ()

    def _derive(
        self,
        *,
        weights: np.ndarray | None = None,
        domain: np.ndarray | None = None,
        raking: _Raking | None = None,
    ) -> Design:
        new = object.__new__(Design)
        new._frame = self._frame
        new._structure = self._structure
        new._weights = self._weights if weights is None else weights
        new._domain = self._domain if domain is None else domain
        new._rakings = self._rakings + ((raking,) if raking else ())
        return new

    # ------------------------------------------------------------------ properties

    @property
    def frame(self) -> pd.DataFrame:
        """The data frame the design was built on (shared, not copied)."""
        return self._frame

    @property
    def weights(self) -> pd.Series:
        """Current weights (after any raking), on the frame's index."""
        return pd.Series(self._weights, index=self._frame.index, name="weight")

    @property
    def domain(self) -> pd.Series:
        """Which rows are in the domain (``subset``); the design keeps every row."""
        return pd.Series(self._domain, index=self._frame.index, name="domain")

    # ------------------------------------------------------------------ derived designs

    def subset(self, mask: pd.Series | np.ndarray | Sequence[bool]) -> Design:
        """Restrict estimates to the rows where ``mask`` is true.

        Like R's ``subset()`` on a design: the variance still uses every PSU of the full design.
        Subsets combine: the new domain is the current domain and ``mask``.

        Parameters
        ----------
        mask : Series, ndarray or sequence of bool
            A Series on the frame's index (missing counts as false), or one value per row of
            the frame in its order (converted with ``astype(bool)``, so a NaN counts as true).

        Returns
        -------
        Design
            The same design restricted to the domain.

        Raises
        ------
        SurveyError
            When a Series mask has another index, or an array mask has another length.
        """
        if isinstance(mask, pd.Series):
            if not mask.index.equals(self._frame.index):
                raise SurveyError("subset mask must have the same index as the design's frame")
            values = mask.fillna(False).to_numpy(dtype=bool)
        else:
            values = np.asarray(mask)
            if values.shape != (len(self._frame),):
                raise SurveyError(
                    f"subset mask has shape {values.shape}; the frame has {len(self._frame)} rows"
                )
            values = values.astype(bool)
        return self._derive(domain=self._domain & values)

    def rake(
        self,
        margins: Mapping[str, Mapping[object, float]],
        *,
        tol: float = 1e-10,
        max_iter: int = 100,
        cap: float | None = None,
    ) -> Design:
        """Rake the weights to population ``margins`` by iterative proportional fitting.

        The current weights are the base weights; the variance of estimates from the raked
        design uses R's calibration projection (module docstring).

        Parameters
        ----------
        margins : Mapping of str to Mapping
            Maps a column to {category: population total}. Every row needs a category listed,
            every category listed must occur, totals must be positive and every margin must
            have the same grand total.
        tol : float, default 1e-10
            Iteration stops when every weighted margin is within ``tol`` (relative) of its
            total.
        max_iter : int, default 100
            Most passes over the margins.
        cap : float, optional
            Trim weights to ``cap`` times the mean weight after each pass (held to within the
            raking tolerance; the variance then treats the trimmed weights as raked).

        Returns
        -------
        Design
            A design with the raked weights, sharing this one's frame and structure.

        Raises
        ------
        SurveyError
            On no margins, a design restricted by :meth:`subset` (rake the full design, then
            take the subset), an unknown margin column or one with missing values, categories
            that do not match, totals that are not positive, margins with different grand
            totals, or no convergence in ``max_iter`` passes.
        """
        if not margins:
            raise SurveyError("rake() needs at least one margin")
        if not self._domain.all():
            raise SurveyError("rake the full design, then take the subset")
        codes, targets = zip(
            *(self._margin(column, totals) for column, totals in margins.items()), strict=True
        )
        raked = _ipf(self._weights, codes, targets, tol, max_iter, cap, list(margins))
        return self._derive(weights=raked, raking=_raking(codes, self._weights, raked))

    def calibrated_on(self, cells: str | Sequence[str]) -> Design:
        """Declare the current weights post-stratified on ``cells``, without changing them.

        For weights made elsewhere (a weighting stage, a published file) that already reproduce
        known cell totals: the result is the design :meth:`rake` on ``cells`` would give with
        the cell totals the weights sum to, the weights themselves kept bit for bit. Estimates
        are unchanged; their variance uses the calibration projection (module docstring) with
        the current weights as the regression weights. When the weights are constant within
        each cell (post-stratification of equal base weights, as the workbook's weights are)
        this is exactly R's ``postStratify`` linearisation.

        Parameters
        ----------
        cells : str or sequence of str
            The column, or columns whose combinations, make the calibration cells.

        Returns
        -------
        Design
            The same weights with the calibration recorded.

        Raises
        ------
        SurveyError
            On no column, an unknown column, a cell column with missing values, or a design
            restricted by :meth:`subset` (declare the calibration first, then take the subset).
        """
        columns = [cells] if isinstance(cells, str) else list(cells)
        if not columns:
            raise SurveyError("calibrated_on() needs at least one cell column")
        if not self._domain.all():
            raise SurveyError("declare the calibration on the full design, then take the subset")
        for column in columns:
            series = _column(self._frame, column, "calibration cell")
            if series.isna().any():
                raise SurveyError(
                    f"calibration cell column '{column}' has {int(series.isna().sum())} "
                    "missing values; every row needs a cell"
                )
        if not len(self._frame):
            return self
        codes = self._frame.groupby(columns, sort=True, observed=True).ngroup().to_numpy()
        return self._derive(raking=_raking([codes], self._weights, self._weights))

    def _margin(self, column: str, totals: Mapping[object, float]) -> tuple[np.ndarray, np.ndarray]:
        series = _column(self._frame, column, "raking margin")
        if series.isna().any():
            raise SurveyError(
                f"raking margin '{column}' has {int(series.isna().sum())} missing values; "
                "every row needs a category"
            )
        categories = list(totals)
        codes = pd.Index(categories).get_indexer(series)
        unlisted = pd.unique(series[codes < 0])
        if len(unlisted):
            raise SurveyError(
                f"raking margin '{column}': data categories missing from the margins: "
                f"{sorted(map(str, unlisted))}"
            )
        counts = np.bincount(codes, minlength=len(categories))
        absent = [c for c, count in zip(categories, counts, strict=True) if count == 0]
        if absent:
            raise SurveyError(
                f"raking margin '{column}': margin categories absent from the data: "
                f"{sorted(map(str, absent))}"
            )
        target = np.array([totals[c] for c in categories], dtype=float)
        if not (target > 0).all():
            raise SurveyError(f"raking margin '{column}': population totals must be positive")
        return codes, target

    # ------------------------------------------------------------------ estimates

    def mean(self, column: str) -> Estimate:
        """Weighted mean ``sum(w y) / sum(w)`` over the domain's non-missing values.

        Parameters
        ----------
        column : str
            Numeric (or boolean) column of the frame.

        Returns
        -------
        Estimate
            The mean, its linearised standard error and 95 % interval.

        Raises
        ------
        SurveyError
            When the column is unknown, not numeric, or has no non-missing value in the
            domain.
        """
        values = _numeric(_column(self._frame, column, "analysis"), "analysis")
        return self._ratio_mean(values)

    def proportion(self, column: str, positive: Collection[object]) -> Estimate:
        """Share of the non-missing answers that fall in ``positive`` (e.g. {4, 5}).

        Parameters
        ----------
        column : str
            Column of the frame, of any type.
        positive : Collection
            The answers counted as positive.

        Returns
        -------
        Estimate
            The weighted share as a fraction (0-1), with its standard error and 95 % interval.

        Raises
        ------
        SurveyError
            When the column is unknown or has no non-missing value in the domain.
        """
        series = _column(self._frame, column, "analysis")
        values = np.where(series.isna(), np.nan, series.isin(list(positive)).astype(float))
        return self._ratio_mean(values)

    def total(self, column: str) -> Estimate:
        """Weighted total ``sum(w y)`` over the domain's non-missing values.

        Parameters
        ----------
        column : str
            Numeric (or boolean) column of the frame.

        Returns
        -------
        Estimate
            The total, its standard error and 95 % interval.

        Raises
        ------
        SurveyError
            When the column is unknown, not numeric, or has no non-missing value in the
            domain.
        """
        values = _numeric(_column(self._frame, column, "analysis"), "analysis")
        used = self._used(values)
        z = np.where(used, self._weights * np.nan_to_num(values), 0.0)
        return Estimate.from_variance(z.sum(), self._variance(z), used.sum())

    def deff(self, column: str, kind: Literal["variance", "kish"] = "variance") -> float:
        """Design effect of the mean of ``column``.

        Parameters
        ----------
        column : str
            Numeric (or boolean) column of the frame.
        kind : {"variance", "kish"}, default "variance"
            ``"variance"``: design variance over the variance of a simple random sample of the
            same size without replacement from a population of ``sum(w)`` (R's
            ``svymean(deff=TRUE)``). ``"kish"``: ``n * sum(w^2) / sum(w)^2`` over the rows
            used (the domain's non-missing values).

        Returns
        -------
        float
            The design effect.

        Raises
        ------
        SurveyError
            When the column is unknown, not numeric or has no non-missing value in the domain,
            ``kind`` is neither choice, or (``"variance"``) the weights sum to no more than the
            sample size.
        """
        values = _numeric(_column(self._frame, column, "analysis"), "analysis")
        used = self._used(values)
        w, y = self._weights[used], values[used]
        n = used.sum()
        if kind == "kish":
            return float(n * (w**2).sum() / w.sum() ** 2)
        if kind != "variance":
            raise SurveyError(f"deff kind must be 'variance' or 'kish', not {kind!r}")
        population = w.sum()
        if population <= n:
            raise SurveyError(
                "deff: weights sum to less than the sample size; scale them to the population"
            )
        mean = (w * y).sum() / population
        element_variance = (w * (y - mean) ** 2).sum() / population * n / (n - 1)
        srs_variance = element_variance * (population - n) / (population * n)
        return self.mean(column).se ** 2 / srs_variance

    def effective_n(self, column: str, kind: Literal["variance", "kish"] = "kish") -> float:
        """Effective sample size ``n / deff`` for the mean of ``column``.

        Parameters
        ----------
        column : str
            Numeric (or boolean) column of the frame.
        kind : {"variance", "kish"}, default "kish"
            The design effect used (see :meth:`deff`); note the default differs from
            :meth:`deff`'s.

        Returns
        -------
        float
            ``n`` (the domain's non-missing values) over the design effect.

        Raises
        ------
        SurveyError
            As :meth:`deff`.
        """
        used = self._used(_numeric(_column(self._frame, column, "analysis"), "analysis"))
        return float(used.sum() / self.deff(column, kind))

    # ------------------------------------------------------------------ internals

    def _used(self, values: np.ndarray) -> np.ndarray:
        used = self._domain & ~np.isnan(values)
        if not used.any():
            raise SurveyError("no non-missing values in the domain")
        return used

    def _ratio_mean(self, values: np.ndarray) -> Estimate:
        used = self._used(values)
        w = np.where(used, self._weights, 0.0)
        y = np.nan_to_num(values)
        total_weight = w.sum()
        mean = (w * y).sum() / total_weight
        z = w * (y - mean) / total_weight
        return Estimate.from_variance(mean, self._variance(z), used.sum())

    def _variance(self, z: np.ndarray) -> float:
        """Variance of ``sum(z)`` for the weighted linearised variable ``z``."""
        for raking in self._rakings:
            z = raking.residualise(z)
        return _stratified_variance(z, self._structure)


# ----------------------------------------------------------------------------- computations


def _stratified_variance(z: np.ndarray, s: _Structure) -> float:
    """R's first-stage, with-replacement variance with fpc (``svyrecvar``)."""
    psu_total = np.bincount(s.psu, z, minlength=len(s.psu_stratum))
    n_h = s.psus_in_stratum
    stratum_mean = np.bincount(s.psu_stratum, psu_total, minlength=len(n_h)) / n_h
    deviation = psu_total - stratum_mean[s.psu_stratum]
    lonely = n_h == 1
    if s.lonely_psu == "adjust":
        centre = psu_total.sum() / len(psu_total)
        deviation = np.where(lonely[s.psu_stratum], psu_total - centre, deviation)
    squares = np.bincount(s.psu_stratum, deviation**2, minlength=len(n_h))
    scale = np.where(lonely, 1.0, n_h / np.maximum(n_h - 1, 1))
    if s.lonely_psu == "certainty":
        scale = np.where(lonely, 0.0, scale)
    census = s.fpc_factor < 1e-7
    return float(np.where(census, 0.0, s.fpc_factor * scale * squares).sum())


def _ipf(
    weights: np.ndarray,
    codes: Sequence[np.ndarray],
    targets: Sequence[np.ndarray],
    tol: float,
    max_iter: int,
    cap: float | None,
    names: Sequence[str],
) -> np.ndarray:
    """Iterative proportional fitting of ``weights`` to the margin ``targets``."""
    grand_totals = [t.sum() for t in targets]
    if max(grand_totals) - min(grand_totals) > 1e-9 * max(grand_totals):
        raise SurveyError(
            "raking margins disagree on the population size: "
            + ", ".join(f"{n}={t:g}" for n, t in zip(names, grand_totals, strict=True))
        )
    w = weights.copy()
    gap = np.inf
    for _ in range(max_iter):
        for margin_codes, target in zip(codes, targets, strict=True):
            w *= (target / np.bincount(margin_codes, w, minlength=len(target)))[margin_codes]
        if cap is not None:
            w = np.minimum(w, cap * w.mean())
        gap = max(
            np.abs(np.bincount(c, w, minlength=len(t)) / t - 1).max()
            for c, t in zip(codes, targets, strict=True)
        )
        if gap < tol:
            return w
    raise SurveyError(
        f"raking did not converge in {max_iter} iterations (largest relative gap to a margin "
        f"{gap:.3g}, tolerance {tol:g}); check that the margins can be met together"
        + (" and that the cap is not too tight" if cap is not None else "")
    )


def _raking(codes: Sequence[np.ndarray], base: np.ndarray, raked: np.ndarray) -> _Raking:
    """Precompute the base-weighted normal equations on the stacked margin indicators."""
    sizes = [int(c.max()) + 1 for c in codes]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    gram = np.zeros((offsets[-1], offsets[-1]))
    for i, (ci, si) in enumerate(zip(codes, sizes, strict=True)):
        for j, (cj, sj) in enumerate(zip(codes, sizes, strict=True)):
            block = np.bincount(ci * sj + cj, base, minlength=si * sj).reshape(si, sj)
            gram[offsets[i] : offsets[i + 1], offsets[j] : offsets[j + 1]] = block
    # Jacobi scaling, then a pseudo-inverse: margins share the intercept, so gram is singular.
    scale = 1.0 / np.sqrt(np.diag(gram))
    solver = scale[:, None] * np.linalg.pinv(gram * np.outer(scale, scale), rcond=1e-10) * scale
    return _Raking(tuple(codes), offsets, base, raked, solver)


# ----------------------------------------------------------------------------- reliability


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of a wide frame (one column per item), after listwise deletion.

    ``k / (k - 1) * (1 - sum(item variances) / variance(sum score))``, with sample variances
    (``ddof=1``) over the rows with every item answered.

    Parameters
    ----------
    items : DataFrame
        One numeric column per item, one row per respondent; unweighted.

    Returns
    -------
    float
        Cronbach's alpha.

    Raises
    ------
    SurveyError
        With fewer than two item columns, a non-numeric column, fewer than two complete rows,
        or a sum score that does not vary.
    """
    if items.shape[1] < 2:
        raise SurveyError("Cronbach's alpha needs at least two item columns")
    not_numeric = [c for c in items.columns if not pd.api.types.is_numeric_dtype(items[c])]
    if not_numeric:
        raise SurveyError(f"Cronbach's alpha: item columns are not numeric: {not_numeric}")
    complete = items.dropna().to_numpy(dtype=float)
    if len(complete) < 2:
        raise SurveyError("Cronbach's alpha needs at least two rows with every item answered")
    k = complete.shape[1]
    total_variance = complete.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        raise SurveyError("Cronbach's alpha is undefined: the sum score does not vary")
    return float(k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum() / total_variance))
