"""Tidy model fitters for the evaluation: each takes a frame and column names and returns tables.

Every ``fit_*`` function returns a small result object whose tables are pandas DataFrames with
the columns ``term, estimate, se, statistic, p_value, ci_low, ci_high`` (95 % intervals,
normal-based unless stated) and whose attributes hold the fit diagnostics (such as ``n``,
``converged``, ``loglik``, ``aic`` where it means something, the kind of standard error used);
``relative_importance`` returns a table computed from an ordinal or trust fit.

Rows with a missing value in any column a model uses are left out (complete cases); the number
left out is reported as ``n_dropped``. Non-numeric predictors are categorical: one 0/1 column
per level except the reference level, named like R does (``Infl`` level ``High`` ->
``InflHigh``). The reference is the first category of a pandas Categorical, otherwise the first
value in sorted order, unless ``reference={column: level}`` says otherwise (a numeric column
named in ``reference`` is treated as categorical too). Fixed effects
(``fixed_effects=[...]``) are dummies for every combination of the listed columns except the
largest cell (the reference); they are reported apart from the predictors.

Fitters
-------
``fit_ordinal``
    Proportional-odds (cumulative logit) model in the parameterisation of R ``MASS::polr``:
    ``logit P(Y <= k) = zeta_k - x'beta``, so a positive coefficient moves answers up the scale.
    Fitted with statsmodels ``OrderedModel`` (which stores the thresholds as the first cut-point
    and log increments) with analytic derivatives; cut-points are reported on the ``zeta`` scale
    with delta-method standard errors. Frequency weights multiply each row's log-likelihood, so
    they give exactly the estimates and model-based SEs of the expanded data. With ``cluster``
    the standard errors are cluster-robust: ``G/(G-1) H^-1 (sum_g s_g s_g') H^-1``, ``s_g`` the
    summed (weighted) score of cluster ``g``: the HC0 sandwich with the small-sample factor
    ``G/(G-1)`` of Stata's ``vce(cluster)`` for ML models and of R ``sandwich::vcovCL`` (whose
    default for non-``lm`` fits is HC0 with ``cadjust = TRUE``).
``relative_importance``
    How much of the variance of the drivers' part of the linear predictor,
    ``eta = sum_d b_d x_d``, each driver accounts for. Two measures, both plain:
    ``share_pratt = b_d cov(x_d, eta) / var(eta)`` (Pratt's product measure; the shares add up
    to 1 exactly and include the driver's covariance with the others; a share can be negative
    when a driver acts as a suppressor) and ``share_std_coef = (b_d sd_d)^2 / sum (b_e sd_e)^2``
    (squared standardised coefficients, which ignore the correlation between drivers). With
    correlated drivers neither is a causal split; report them as descriptive rankings.
``fit_random_intercept``
    Linear mixed model with a random intercept per group (statsmodels ``MixedLM``, REML by
    default): fixed effects, the two variance components, and per group the size, the raw mean,
    the predicted random intercept (BLUP) with its conditional SE and the shrunken group mean
    ``mean(x_i'b) + BLUP`` beside the raw mean, for small-agency estimates.
``fit_trust_logit``
    The OECD Trust Survey drivers method: trust 6-10 is high (1), 0-4 low (0), 5 is dropped;
    drivers standardised, logistic regression, coefficients and average marginal effects.
``fit_panel``
    Agency-by-year panel: OLS with year fixed effects and standard errors clustered by unit,
    with a plain-language statement of what the estimates can and cannot say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from scipy.special import expit
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.regression.mixed_linear_model import MixedLM

from helpers.stats import scores

__all__ = [
    "TIDY_COLUMNS",
    "MixedFit",
    "ModelError",
    "OrdinalFit",
    "PanelFit",
    "TrustFit",
    "fit_ordinal",
    "fit_panel",
    "fit_random_intercept",
    "fit_trust_logit",
    "relative_importance",
]

LEVEL = 0.95
TIDY_COLUMNS = ["term", "estimate", "se", "statistic", "p_value", "ci_low", "ci_high"]
INTERCEPT = "Intercept"
TRUST_HIGH = (scores.HIGH_TRUST_MIN, 10)
TRUST_LOW = (0, 4)
TRUST_NEUTRAL = scores.TRUST_NEUTRAL


class ModelError(ValueError):
    """The data cannot be fitted as asked (a column, category or group is missing)."""


# ----------------------------------------------------------------------------- shared helpers


def _as_list(columns: str | Sequence[str] | None) -> list[str]:
    if columns is None:
        return []
    if isinstance(columns, str):
        return [columns]
    return list(columns)


def _check_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        known = ", ".join(map(str, frame.columns[:30]))
        raise ModelError(f"unknown column(s) {missing}; the frame has: {known}")


def _complete(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[pd.DataFrame, int]:
    """Rows with a value in every column used (and the number left out)."""
    used = list(dict.fromkeys(columns))
    keep = frame[used].notna().all(axis=1)
    return frame.loc[keep, used].reset_index(drop=True), int((~keep).sum())


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def _levels(series: pd.Series) -> list:
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna())
        return [c for c in series.cat.categories if c in present]
    return sorted(series.dropna().unique().tolist())


def _design(frame: pd.DataFrame, predictors: Sequence[str], reference: dict | None) -> pd.DataFrame:
    """Numeric predictors as they are, categorical ones as 0/1 columns (reference left out)."""
    reference = reference or {}
    unknown = [c for c in reference if c not in predictors]
    if unknown:
        raise ModelError(f"reference levels given for {unknown}, which are not predictors")
    parts = {}
    for column in predictors:
        series = frame[column]
        if _is_numeric(series) and column not in reference:
            values = series.to_numpy(dtype="float64")
            if len(values) and np.ptp(values) == 0:
                raise ModelError(f"predictor '{column}' has the same value in every row used")
            parts[column] = values
            continue
        levels = _levels(series)
        if len(levels) < 2:
            raise ModelError(f"categorical predictor '{column}' has fewer than 2 levels: {levels}")
        ref = reference.get(column, levels[0])
        if ref not in levels:
            raise ModelError(
                f"reference level {ref!r} of '{column}' does not occur; levels: {levels}"
            )
        for level in levels:
            if level == ref:
                continue
            name = f"{column}{level}"
            parts[name] = (series == level).to_numpy(dtype="float64")
    return pd.DataFrame(parts, index=frame.index)


def _fixed_effects(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Dummies for each cell of ``columns`` except the largest (ties: first in sorted order)."""
    if not columns:
        return pd.DataFrame(index=frame.index)
    cell = frame[columns[0]].astype(str)
    for column in columns[1:]:
        cell = cell + ":" + frame[column].astype(str)
    counts = cell.value_counts()
    reference = sorted(counts.index[counts == counts.max()])[0]
    label = ":".join(columns)
    parts = {
        f"{label}[{level}]": (cell == level).to_numpy(dtype="float64")
        for level in sorted(counts.index)
        if level != reference
    }
    return pd.DataFrame(parts, index=frame.index)


def _check_rank(matrix: np.ndarray, names: Sequence[str]) -> None:
    if matrix.shape[1] and np.linalg.matrix_rank(matrix) < matrix.shape[1]:
        raise ModelError(
            f"the design matrix is rank deficient ({matrix.shape[1]} columns: "
            f"{list(names)[:12]}...): a predictor is a combination of others or of the "
            "fixed effects"
        )


def _weights(frame: pd.DataFrame, column: str | None) -> np.ndarray:
    if column is None:
        return np.ones(len(frame))
    values = frame[column].to_numpy(dtype="float64")
    if (values < 0).any() or not np.isfinite(values).all():
        raise ModelError(f"weights '{column}' must be finite and not negative")
    return values


def _cluster_codes(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, int]:
    codes, uniques = pd.factorize(frame[column], sort=True)
    if len(uniques) < 2:
        raise ModelError(
            f"cluster-robust standard errors need at least 2 clusters; '{column}' has "
            f"{len(uniques)} in the rows used"
        )
    return codes, len(uniques)


def _inverse(information: np.ndarray, what: str) -> np.ndarray:
    try:
        return np.linalg.inv(information)
    except np.linalg.LinAlgError:
        raise ModelError(
            f"{what} has a singular information matrix: some coefficient is not identified "
            "(e.g. a category or fixed-effect cell where every answer is the same)"
        ) from None


def _sandwich(bread: np.ndarray, scores: np.ndarray, factor: float) -> np.ndarray:
    meat = scores.T @ scores
    return factor * bread @ meat @ bread


def _cluster_sums(scores: np.ndarray, codes: np.ndarray, size: int) -> np.ndarray:
    sums = np.zeros((size, scores.shape[1]))
    np.add.at(sums, codes, scores)
    return sums


def _tidy(
    names: Sequence[str],
    estimate: np.ndarray,
    se: np.ndarray,
    *,
    df: float | None = None,
) -> pd.DataFrame:
    """Estimates, SEs, Wald statistics, p-values and 95 % intervals (t with ``df`` if given)."""
    estimate = np.asarray(estimate, dtype="float64")
    se = np.asarray(se, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = estimate / se
    dist = stats.norm if df is None else stats.t(df)
    crit = dist.ppf(0.5 + LEVEL / 2)
    return pd.DataFrame(
        {
            "term": list(names),
            "estimate": estimate,
            "se": se,
            "statistic": statistic,
            "p_value": 2 * dist.sf(np.abs(statistic)),
            "ci_low": estimate - crit * se,
            "ci_high": estimate + crit * se,
        }
    )


def _split(table: pd.DataFrame, names: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    inside = table["term"].isin(list(names))
    return table[~inside].reset_index(drop=True), table[inside].reset_index(drop=True)


# ----------------------------------------------------------------------------- ordinal model


def _ordinal_derivatives(
    beta: np.ndarray, cuts: np.ndarray, x: np.ndarray, y: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log-likelihood per row, scores per row and the Hessian in (beta, cut-points).

    Row i in category k contributes ``w_i log(F(a) - F(b))``, a = zeta_k - eta_i (upper bound,
    +inf for the top category), b = zeta_{k-1} - eta_i (lower, -inf for the bottom one).
    """
    p, m = x.shape[1], len(cuts)
    eta = x @ beta
    bounds = np.concatenate([[-np.inf], cuts, [np.inf]])
    a = bounds[y + 1] - eta
    b = bounds[y] - eta
    fa_cdf, fb_cdf = expit(a), expit(b)
    # F(a) - F(b) without cancellation when both are near 1.
    prob = np.where(b > 0, expit(-b) - expit(-a), fa_cdf - fb_cdf)
    prob = np.maximum(prob, 1e-300)
    fa, fb = fa_cdf * (1 - fa_cdf), fb_cdf * (1 - fb_cdf)
    dfa, dfb = fa * (1 - 2 * fa_cdf), fb * (1 - 2 * fb_cdf)
    gu, gl = fa / prob, fb / prob
    l_aa = dfa / prob - gu**2
    l_bb = -dfb / prob - gl**2
    l_ab = gu * gl

    upper = y < m  # rows whose upper bound is a cut-point (index y)
    lower = y > 0  # rows whose lower bound is a cut-point (index y - 1)
    rows = np.arange(len(y))
    scores = np.zeros((len(y), p + m))
    scores[:, :p] = (-(gu - gl))[:, None] * x
    scores[rows[upper], p + y[upper]] += gu[upper]
    scores[rows[lower], p + y[lower] - 1] -= gl[lower]
    scores *= w[:, None]

    hessian = np.zeros((p + m, p + m))
    hessian[:p, :p] = (x * (w * (l_aa + 2 * l_ab + l_bb))[:, None]).T @ x
    h_up = -(l_aa + l_ab) * w
    h_low = -(l_ab + l_bb) * w
    for k in range(m):
        hessian[:p, p + k] = x[y == k].T @ h_up[y == k] + x[y == k + 1].T @ h_low[y == k + 1]
        hessian[p + k, p + k] = (w * l_aa)[y == k].sum() + (w * l_bb)[y == k + 1].sum()
        if k + 1 < m:
            hessian[p + k, p + k + 1] = (w * l_ab)[y == k + 1].sum()
            hessian[p + k + 1, p + k] = hessian[p + k, p + k + 1]
    hessian[p:, :p] = hessian[:p, p:].T
    return w * np.log(prob), scores, hessian


class _WeightedOrderedModel(OrderedModel):
    """statsmodels ``OrderedModel`` (logit) with frequency weights and analytic derivatives."""

    def __init__(self, endog, exog, freq_weights):
        self.freq_weights = np.asarray(freq_weights, dtype="float64")
        super().__init__(endog, exog, distr="logit")

    def _direct(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        p = self.k_vars
        cuts = self.transform_threshold_params(params)[1:-1]
        # d cuts / d (first cut, log increments): lower triangular.
        jac = np.tril(np.ones((len(cuts), len(cuts))))
        jac[:, 1:] *= np.exp(params[p + 1 :])
        jac = np.tril(jac)
        return params[:p], cuts, jac

    def _derivatives(self, params):
        beta, cuts, jac = self._direct(params)
        y = np.asarray(self.endog, dtype=np.int64)
        return (*_ordinal_derivatives(beta, cuts, self.exog, y, self.freq_weights), jac)

    def loglikeobs(self, params):
        return self._derivatives(params)[0]

    def score_obs(self, params):
        _, scores, _, jac = self._derivatives(params)
        p = self.k_vars
        return np.column_stack([scores[:, :p], scores[:, p:] @ jac])

    def score(self, params):
        return self.score_obs(params).sum(axis=0)

    def hessian(self, params):
        _, scores, hess, jac = self._derivatives(params)
        p = self.k_vars
        out = np.empty_like(hess)
        out[:p, :p] = hess[:p, :p]
        out[:p, p:] = hess[:p, p:] @ jac
        out[p:, :p] = out[:p, p:].T
        out[p:, p:] = jac.T @ hess[p:, p:] @ jac
        # Second derivative of the cut-points in the log increments (m >= 1).
        grad_cuts = scores[:, p:].sum(axis=0)
        increments = np.exp(params[p + 1 :])
        tail = np.cumsum(grad_cuts[::-1])[::-1]  # sum over k >= m
        out[p + 1 :, p + 1 :] += np.diag(tail[1:] * increments)
        return out

    @property
    def start_params(self):
        freq = np.bincount(self.endog, weights=self.freq_weights, minlength=self.k_levels)
        cum = np.clip(np.cumsum(freq / freq.sum()), 1e-6, 1 - 1e-6)
        start = self.transform_reverse_threshold_params(self.distr.ppf(cum))
        return np.concatenate((np.zeros(self.k_vars), start))


@dataclass(frozen=True)
class OrdinalFit:
    """A proportional-odds fit: ``logit P(Y <= k) = zeta_k - x'beta`` (MASS::polr).

    Attributes
    ----------
    coefficients : DataFrame
        The predictor terms (:data:`TIDY_COLUMNS`).
    cutpoints : DataFrame
        The cut-points ``zeta_k``, terms named ``"level_k|level_k+1"``.
    fixed_effects : DataFrame
        The fixed-effect dummies (empty without ``fixed_effects``).
    categories : list
        The outcome levels observed in the rows used, in order.
    n : int
        Rows used.
    n_weighted : float
        Sum of the frequency weights (``n`` without weights).
    n_dropped : int
        Rows left out for a missing value.
    converged : bool
        Whether the Newton fit converged and the score is close to zero.
    loglik : float
        The (frequency-weighted) log-likelihood.
    aic : float
        ``2 * parameters - 2 * loglik``, cut-points and fixed effects counted.
    se_type : str
        ``"model"`` or ``"cluster (HC0 sandwich x G/(G-1))"``.
    n_clusters : int or None
        Clusters, with cluster-robust standard errors.
    calibration : DataFrame
        Per category: ``category``, weighted ``observed`` share, mean ``predicted``
        probability and their ``difference``.
    vcov : DataFrame
        Covariance matrix of the predictors, fixed effects and cut-points.
    design : DataFrame
        Predictor columns of the rows used (categorical predictors as 0/1 columns, no fixed
        effects).
    weights : ndarray
        Frequency weights of the rows used (ones without weights).
    """

    coefficients: pd.DataFrame  # predictors
    cutpoints: pd.DataFrame  # zeta_k, named "level_k|level_k+1"
    fixed_effects: pd.DataFrame  # fixed-effect dummies (empty without fixed_effects)
    categories: list
    n: int  # rows used
    n_weighted: float  # sum of the frequency weights (= n without weights)
    n_dropped: int
    converged: bool
    loglik: float
    aic: float
    se_type: str  # "model" or "cluster (HC0 sandwich x G/(G-1))"
    n_clusters: int | None
    calibration: pd.DataFrame  # per category: observed vs mean predicted share (weighted)
    vcov: pd.DataFrame = field(repr=False)
    design: pd.DataFrame = field(repr=False)  # predictor columns of the rows used
    weights: np.ndarray = field(repr=False)

    @property
    def table(self) -> pd.DataFrame:
        """All estimates in one table, with ``kind`` = coefficient, cutpoint or fixed_effect."""
        parts = [
            t.assign(kind=kind)
            for t, kind in (
                (self.coefficients, "coefficient"),
                (self.cutpoints, "cutpoint"),
                (self.fixed_effects, "fixed_effect"),
            )
            if len(t)
        ]
        return pd.concat(parts, ignore_index=True)

    def predicted_probabilities(self) -> pd.DataFrame:
        """Each used row's predicted probability of every answer category.

        Returns
        -------
        DataFrame
            One row per row the model used (in :attr:`design` order), one column per category;
            rows sum to 1. Fixed-effect dummies, when fitted, are not included (as in
            :attr:`calibration`, whose mean predicted shares these average to).
        """
        eta = (self.design @ self.coefficients.set_index("term")["estimate"]).to_numpy()
        cumulative = expit(self.cutpoints["estimate"].to_numpy()[None, :] - eta[:, None])
        bounds = np.column_stack([np.zeros(len(eta)), cumulative, np.ones(len(eta))])
        return pd.DataFrame(np.diff(bounds, axis=1), columns=self.categories)


def _ordinal_calibration(
    y: np.ndarray, eta: np.ndarray, cuts: np.ndarray, w: np.ndarray, categories: Sequence
) -> pd.DataFrame:
    """Residual check: each category's observed share against the mean predicted probability
    (both weighted). Large gaps point to a missing predictor or non-proportional odds."""
    cumulative = expit(cuts[None, :] - eta[:, None])
    bounds = np.column_stack([np.zeros(len(eta)), cumulative, np.ones(len(eta))])
    predicted = np.diff(bounds, axis=1)
    share = w / w.sum()
    observed = np.array([share @ (y == k) for k in range(len(categories))])
    expected = share @ predicted
    return pd.DataFrame(
        {
            "category": list(categories),
            "observed": observed,
            "predicted": expected,
            "difference": observed - expected,
        }
    )


def _binary_calibration(
    y: np.ndarray, p_hat: np.ndarray, w: np.ndarray, groups: int = 10
) -> pd.DataFrame:
    """Residual check (Hosmer-Lemeshow style): rows grouped by decile of predicted probability;
    observed against mean predicted share of high trust in each group (weighted)."""
    order = np.argsort(p_hat, kind="stable")
    decile = np.empty(len(p_hat), dtype=int)
    decile[order] = np.arange(len(p_hat)) * groups // len(p_hat)
    frame = pd.DataFrame({"group": decile + 1, "w": w, "wy": w * y, "wp": w * p_hat})
    sums = frame.groupby("group").agg(
        n=("w", "size"), w=("w", "sum"), wy=("wy", "sum"), wp=("wp", "sum")
    )
    table = pd.DataFrame(
        {"n": sums["n"], "observed": sums["wy"] / sums["w"], "predicted": sums["wp"] / sums["w"]}
    ).reset_index()
    table["difference"] = table["observed"] - table["predicted"]
    return table


def _outcome_codes(series: pd.Series, categories: Sequence | None, name: str) -> tuple:
    if categories is None:
        if isinstance(series.dtype, pd.CategoricalDtype) and series.cat.ordered:
            categories = list(series.cat.categories)
        elif _is_numeric(series):
            categories = sorted(series.unique().tolist())
        else:
            raise ModelError(
                f"outcome '{name}' is text: give its ordered levels with categories=[...]"
            )
    categories = list(categories)
    outside = sorted(set(series.unique().tolist()) - set(categories), key=str)
    if outside:
        raise ModelError(f"outcome '{name}' has values {outside} not in categories {categories}")
    observed = [c for c in categories if (series == c).any()]
    if len(observed) < 2:
        raise ModelError(
            f"outcome '{name}' has a single category ({observed}) in the rows used; "
            "a model needs at least 2"
        )
    lookup = {c: i for i, c in enumerate(observed)}
    return np.array([lookup[v] for v in series.tolist()], dtype=np.int64), observed


def fit_ordinal(
    frame: pd.DataFrame,
    outcome: str,
    predictors: Sequence[str],
    *,
    categories: Sequence | None = None,
    weights: str | None = None,
    cluster: str | None = None,
    reference: dict | None = None,
    fixed_effects: str | Sequence[str] | None = None,
    maxiter: int = 200,
) -> OrdinalFit:
    """Proportional-odds logistic regression of ``outcome`` on ``predictors``.

    Parameters
    ----------
    frame : DataFrame
        One row per observation; rows with a missing value in a column used are left out.
    outcome : str
        The ordinal outcome column.
    predictors : sequence of str
        Predictor columns; non-numeric ones are categorical (module docstring).
    categories : sequence, optional
        The outcome levels in order. Default: an ordered Categorical's order, or the sorted
        numbers; a text outcome needs it. Levels that nobody chose are left out, so each
        reported cut-point separates two observed levels.
    weights : str, optional
        Column of frequency weights, finite and >= 0 (a row with weight 3 counts as 3
        identical rows). Rows with weight 0 are left out and not counted in ``n_dropped``.
    cluster : str, optional
        Column of cluster ids: cluster-robust standard errors (see the module docstring).
    reference : dict, optional
        ``{column: level}``: the reference level of a categorical predictor.
    fixed_effects : str or sequence of str, optional
        Dummies for each cell of these columns (e.g. agency, or agency and year) to absorb a
        group effect; the cut-points then refer to the largest cell.
    maxiter : int, default 200
        Most Newton iterations.

    Returns
    -------
    OrdinalFit
        The estimates and fit diagnostics.

    Raises
    ------
    ModelError
        On an unknown column, no complete rows, invalid weights, a text outcome without
        ``categories``, outcome values outside ``categories`` or fewer than two observed
        levels, a constant predictor, a bad reference level, a rank-deficient design, a
        singular information matrix, or fewer than two clusters.
    """
    predictors = list(predictors)
    effects = _as_list(fixed_effects)
    extra = [c for c in (weights, cluster) if c is not None]
    _check_columns(frame, [outcome, *predictors, *effects, *extra])
    data, dropped = _complete(frame, [outcome, *predictors, *effects, *extra])
    w = _weights(data, weights)
    if weights is not None:
        data, w = data[w > 0].reset_index(drop=True), w[w > 0]
    if data.empty:
        raise ModelError("no rows with every model column present")
    y, observed = _outcome_codes(data[outcome], categories, outcome)
    design = _design(data, predictors, reference)
    fe = _fixed_effects(data, effects)
    x = pd.concat([design, fe], axis=1)
    _check_rank(x.to_numpy(), x.columns)

    model = _WeightedOrderedModel(y, x.to_numpy(dtype="float64"), w)
    result = model.fit(method="newton", maxiter=maxiter, disp=False)
    params = np.asarray(result.params)
    p = x.shape[1]
    beta, cuts, _ = model._direct(params)
    loglik_rows, scores, hessian = _ordinal_derivatives(beta, cuts, model.exog, y, w)
    gradient = np.abs(scores.sum(axis=0)).max() if scores.size else 0.0
    converged = bool(result.mle_retvals.get("converged", False)) and gradient < 1e-4 * max(
        1.0, w.sum() / 1e4
    )
    bread = _inverse(-hessian, "the ordinal model")
    if cluster is None:
        vcov, se_type, n_clusters = bread, "model", None
    else:
        codes, n_clusters = _cluster_codes(data, cluster)
        sums = _cluster_sums(scores, codes, n_clusters)
        vcov = _sandwich(bread, sums, n_clusters / (n_clusters - 1))
        se_type = "cluster (HC0 sandwich x G/(G-1))"
    cut_names = [f"{observed[k]}|{observed[k + 1]}" for k in range(len(cuts))]
    names = [*x.columns, *cut_names]
    table = _tidy(names, np.concatenate([beta, cuts]), np.sqrt(np.diag(vcov)))
    coefficients, fixed = _split(table.iloc[:p], fe.columns)
    loglik = float(loglik_rows.sum())
    return OrdinalFit(
        coefficients=coefficients,
        cutpoints=table.iloc[p:].reset_index(drop=True),
        fixed_effects=fixed,
        categories=observed,
        n=len(data),
        n_weighted=float(w.sum()),
        n_dropped=dropped,
        converged=converged,
        loglik=loglik,
        aic=2 * len(names) - 2 * loglik,
        se_type=se_type,
        n_clusters=n_clusters,
        calibration=_ordinal_calibration(y, model.exog @ beta, cuts, w, observed),
        vcov=pd.DataFrame(vcov, index=names, columns=names),
        design=design,
        weights=w,
    )


def relative_importance(fit: OrdinalFit | TrustFit, drivers: Sequence[str] | None = None):
    """Each driver's share of the variance of ``eta = sum_d b_d x_d`` over the rows fitted.

    Variances and covariances are weighted by the fit's weights (population form, divided by
    the sum of the weights). See the module docstring for reading the shares.

    Parameters
    ----------
    fit : OrdinalFit or TrustFit
        A fit from :func:`fit_ordinal` or :func:`fit_trust_logit`.
    drivers : sequence of str, optional
        Coefficient terms (columns of ``fit.design``). Default: every term of
        ``fit.coefficients`` except the intercept (fixed effects are not among them).

    Returns
    -------
    DataFrame
        One row per driver: ``term``, ``estimate``, ``sd``, ``std_coef`` (``b_d sd_d``),
        ``share_pratt`` (``b_d cov(x_d, eta) / var(eta)``, adds up to 1) and
        ``share_std_coef`` (``std_coef^2`` over its sum).

    Raises
    ------
    ModelError
        When a driver is not a term of the fit's design.
    """
    coefficients = fit.coefficients.set_index("term")["estimate"]
    terms = [t for t in coefficients.index if t != INTERCEPT] if drivers is None else drivers
    unknown = [t for t in terms if t not in fit.design.columns]
    if unknown:
        raise ModelError(f"unknown driver term(s) {unknown}; terms: {list(fit.design.columns)}")
    x = fit.design[list(terms)].to_numpy(dtype="float64")
    w = fit.weights / fit.weights.sum()
    b = coefficients.loc[list(terms)].to_numpy()
    centred = x - w @ x
    cov = centred.T @ (centred * w[:, None])
    eta_var = b @ cov @ b
    std_coef = b * np.sqrt(np.diag(cov))
    return pd.DataFrame(
        {
            "term": list(terms),
            "estimate": b,
            "sd": np.sqrt(np.diag(cov)),
            "std_coef": std_coef,
            "share_pratt": b * (cov @ b) / eta_var,
            "share_std_coef": std_coef**2 / np.sum(std_coef**2),
        }
    )


# ----------------------------------------------------------------------------- mixed model


@dataclass(frozen=True)
class MixedFit:
    """A random-intercept linear mixed model.

    Attributes
    ----------
    fixed_effects : DataFrame
        Intercept and fixed terms (:data:`TIDY_COLUMNS`, normal-based intervals).
    variance_components : DataFrame
        ``component`` (``"<group> (intercept)"``, ``"residual"``), ``variance`` and ``sd``.
    groups : DataFrame
        Per group: ``group``, ``n``, ``raw_mean``, ``blup``, ``blup_se``, ``shrunken_mean``
        and ``reliability`` (see :func:`fit_random_intercept`).
    n : int
        Rows used.
    n_groups : int
        Groups in the rows used.
    n_dropped : int
        Rows left out for a missing value.
    converged : bool
        Whether statsmodels reports convergence.
    reml : bool
        Whether the fit is REML.
    loglik : float
        The log-likelihood (of the REML criterion when ``reml`` is true).
    aic : float or None
        Only for ML fits (REML likelihoods do not compare fixed effects).
    """

    fixed_effects: pd.DataFrame
    variance_components: pd.DataFrame  # component (group, residual), variance, sd
    groups: pd.DataFrame  # group, n, raw_mean, blup, blup_se, shrunken_mean, reliability
    n: int
    n_groups: int
    n_dropped: int
    converged: bool
    reml: bool
    loglik: float  # the REML criterion's log-likelihood when reml=True
    aic: float | None  # only for ML fits (REML likelihoods do not compare fixed effects)

    @property
    def shrunken_group_means(self) -> pd.Series:
        """The model's estimate of each group's mean (``shrunken_mean``), indexed by group."""
        return self.groups.set_index("group")["shrunken_mean"]

    def fitted(self, frame: pd.DataFrame, group: str) -> pd.Series:
        """Fitted values (fixed part plus the group's predicted intercept) for ``frame``.

        Parameters
        ----------
        frame : DataFrame
            Rows with every numeric fixed term of :attr:`fixed_effects` and ``group``.
        group : str
            The column naming each row's group.

        Returns
        -------
        Series
            Indexed like ``frame``; NaN for a group the model did not see.
        """
        fixed = self.fixed_effects.set_index("term")["estimate"]
        terms = [t for t in fixed.index if t != "Intercept"]
        blups = frame[group].map(self.groups.set_index("group")["blup"]).astype("float64")
        return fixed["Intercept"] + frame[terms].astype("float64") @ fixed[terms] + blups


def fit_random_intercept(
    frame: pd.DataFrame,
    outcome: str,
    fixed: Sequence[str],
    group: str,
    *,
    reml: bool = True,
    reference: dict | None = None,
) -> MixedFit:
    """``outcome = Intercept + fixed'b + u_group + e``, u ~ N(0, s2_group), e ~ N(0, s2).

    Per group: ``raw_mean`` (mean outcome), ``blup`` (predicted u, shrunk towards 0 the more the
    fewer rows the group has), ``blup_se`` (its conditional SE), ``shrunken_mean`` (mean of the
    fixed part over the group's rows plus the BLUP: the model's estimate of the group mean) and
    ``reliability`` ``s2_group / (s2_group + s2 / n)``, the weight the group's own data gets.
    Fixed-effect intervals are normal-based (as statsmodels; lme4 prints no p-values).

    Parameters
    ----------
    frame : DataFrame
        One row per observation; rows with a missing value in a column used are left out.
    outcome : str
        Numeric outcome column.
    fixed : sequence of str
        Fixed-effect predictor columns; non-numeric ones are categorical (module docstring).
    group : str
        Column of the groups that get a random intercept (at least two).
    reml : bool, default True
        REML (true) or maximum likelihood.
    reference : dict, optional
        ``{column: level}``: the reference level of a categorical predictor.

    Returns
    -------
    MixedFit
        The estimates, variance components and per-group results.

    Raises
    ------
    ModelError
        On an unknown column, a non-numeric or constant outcome, fewer than two groups, a
        constant predictor, a bad reference level or a rank-deficient design.
    """
    fixed = list(fixed)
    _check_columns(frame, [outcome, *fixed, group])
    data, dropped = _complete(frame, [outcome, *fixed, group])
    if not _is_numeric(data[outcome]):
        raise ModelError(f"outcome '{outcome}' must be numeric for a linear mixed model")
    codes, uniques = pd.factorize(data[group], sort=True)
    if len(uniques) < 2:
        raise ModelError(
            f"a random intercept needs at least 2 groups; '{group}' has {len(uniques)}"
        )
    y = data[outcome].to_numpy(dtype="float64")
    if np.ptp(y) == 0:
        raise ModelError(f"outcome '{outcome}' has a single value in the rows used")
    design = _design(data, fixed, reference)
    x = pd.concat([pd.DataFrame({INTERCEPT: np.ones(len(data))}), design], axis=1)
    _check_rank(x.to_numpy(), x.columns)
    model = MixedLM(y, x.to_numpy(dtype="float64"), groups=codes)
    result = model.fit(reml=reml)
    k = x.shape[1]
    fe = np.asarray(result.fe_params)
    se = np.sqrt(np.diag(np.asarray(result.cov_params())[:k, :k]))
    var_group = float(np.asarray(result.cov_re)[0, 0])
    var_resid = float(result.scale)
    components = pd.DataFrame(
        {
            "component": [f"{group} (intercept)", "residual"],
            "variance": [var_group, var_resid],
            "sd": np.sqrt([var_group, var_resid]),
        }
    )
    fitted_fixed = x.to_numpy() @ fe
    by = pd.DataFrame({"code": codes, "y": y, "fixed": fitted_fixed}).groupby("code")
    n_j = by.size().to_numpy()
    blup = np.array([float(np.asarray(result.random_effects[c])[0]) for c in range(len(uniques))])
    blup_var = np.array(
        [float(np.asarray(result.random_effects_cov[c])[0, 0]) for c in range(len(uniques))]
    )
    groups = pd.DataFrame(
        {
            "group": list(uniques),
            "n": n_j,
            "raw_mean": by["y"].mean().to_numpy(),
            "blup": blup,
            "blup_se": np.sqrt(np.maximum(blup_var, 0)),
            "shrunken_mean": by["fixed"].mean().to_numpy() + blup,
            "reliability": var_group / (var_group + var_resid / n_j),
        }
    )
    loglik = float(result.llf)
    return MixedFit(
        fixed_effects=_tidy(x.columns, fe, se),
        variance_components=components,
        groups=groups,
        n=len(data),
        n_groups=len(uniques),
        n_dropped=dropped,
        converged=bool(result.converged),
        reml=reml,
        loglik=loglik,
        aic=None if reml else 2 * (k + 2) - 2 * loglik,
    )


# ----------------------------------------------------------------------------- trust logit


@dataclass(frozen=True)
class TrustFit:
    """OECD-style trust drivers logit: coefficients per SD of each driver and AMEs.

    Attributes
    ----------
    coefficients : DataFrame
        Intercept and drivers (log-odds per SD).
    ame : DataFrame
        Average marginal effects on P(high trust) per SD, delta-method SEs.
    fixed_effects : DataFrame
        The fixed-effect dummies (empty without ``fixed_effects``).
    scaling : DataFrame
        ``driver`` (and ``group`` with ``standardise_within``), ``mean`` and ``sd`` used to
        standardise.
    n : int
        Respondents in the model (trust 0-4 or 6-10).
    n_neutral : int
        Respondents with trust 5, dropped after standardising.
    n_dropped : int
        Rows left out for a missing value in a column used, or a weight of 0.
    high_share : float
        The (weighted) share of high trust among the ``n``, 0-1.
    converged : bool
        Whether the GLM fit converged.
    loglik : float
        The log-likelihood; weighted pseudo-log-likelihood when weights are given.
    aic : float or None
        Only without weights.
    se_type : str
        ``"model"``, ``"robust (HC0 sandwich x n/(n-1))"`` or
        ``"cluster (HC0 sandwich x G/(G-1))"``.
    n_clusters : int or None
        Clusters, with cluster-robust standard errors.
    calibration : DataFrame
        By decile of predicted P(high): ``group``, ``n``, weighted ``observed`` and
        ``predicted`` shares and their ``difference``.
    vcov : DataFrame
        Covariance matrix of the intercept, drivers and fixed effects.
    design : DataFrame
        Standardised drivers of the rows fitted.
    weights : ndarray
        Weights of the rows fitted, scaled to mean 1 (ones without weights).
    """

    coefficients: pd.DataFrame  # Intercept and drivers (log-odds per SD)
    ame: pd.DataFrame  # average marginal effects on P(high trust) per SD, delta-method SEs
    fixed_effects: pd.DataFrame
    scaling: pd.DataFrame  # driver (and group), mean, sd used to standardise
    n: int  # respondents in the model (trust 0-4 or 6-10)
    n_neutral: int  # trust == 5, dropped after standardising
    n_dropped: int  # rows without trust or a driver (or the weight)
    high_share: float  # (weighted) share of high trust among the n
    converged: bool
    loglik: float  # weighted pseudo-log-likelihood when weights are given
    aic: float | None  # only without weights
    se_type: str
    n_clusters: int | None
    calibration: pd.DataFrame  # by decile of predicted P(high): observed vs predicted share
    vcov: pd.DataFrame = field(repr=False)
    design: pd.DataFrame = field(repr=False)  # standardised drivers of the rows fitted
    weights: np.ndarray = field(repr=False)


def _standardise(values: pd.DataFrame, w: np.ndarray, groups: pd.Series | None):
    """(x - weighted mean) / weighted population sd, within each group; and the scaling used."""
    keys = pd.Series(0, index=values.index) if groups is None else groups.reset_index(drop=True)
    out = pd.DataFrame(index=values.index, columns=values.columns, dtype="float64")
    rows = []
    for key, index in keys.groupby(keys, sort=True).groups.items():
        block = values.loc[index].to_numpy(dtype="float64")
        weight = w[np.asarray(index)]
        mean = weight @ block / weight.sum()
        sd = np.sqrt(weight @ (block - mean) ** 2 / weight.sum())
        zero = [c for c, s in zip(values.columns, sd, strict=True) if s == 0]
        if zero:
            raise ModelError(f"driver(s) {zero} do not vary (group {key!r}); cannot standardise")
        out.loc[index] = (block - mean) / sd
        for column, m, s in zip(values.columns, mean, sd, strict=True):
            rows.append({"group": key, "driver": column, "mean": m, "sd": s})
    scaling = pd.DataFrame(rows)
    if groups is None:
        scaling = scaling.drop(columns="group")
    return out, scaling


def fit_trust_logit(
    frame: pd.DataFrame,
    drivers: Sequence[str],
    trust: str,
    *,
    weights: str | None = None,
    standardise_within: str | None = None,
    fixed_effects: str | Sequence[str] | None = None,
    cluster: str | None = None,
) -> TrustFit:
    """P(high trust) = logistic(a + sum_d b_d z_d [+ fixed effects]), the OECD drivers method.

    Trust 6-10 is high (1) and 0-4 low (0); 5 (neutral) is dropped. Each driver is standardised
    over the rows with trust and every driver answered, *including* the neutral answers (as the
    demo generator and the OECD do: z describes all respondents), with the weighted mean and the
    weighted population sd ``sqrt(sum w (x - m)^2 / sum w)`` (unweighted without weights), within
    each value of ``standardise_within`` (e.g. the fiscal year when pooling years).

    Without weights the fit is plain maximum likelihood with model-based SEs. With survey weights
    the weights are scaled to mean 1 over the rows fitted (GLM Binomial ``var_weights``: the
    point estimates are the weighted pseudo-maximum-likelihood ones) and the SEs are robust:
    the HC0 sandwich times ``n/(n-1)`` (Stata's ``vce(robust)`` factor for ML models).
    ``cluster`` gives cluster-robust SEs (sum of scores per cluster, factor ``G/(G-1)``).

    AME of driver d = weighted mean over the fitted respondents of ``b_d p_i (1 - p_i)``: the
    change in P(high trust) per SD of the driver. SEs by the delta method, given the sample
    (as statsmodels ``get_margeff(at="overall")``).

    Parameters
    ----------
    frame : DataFrame
        One row per respondent; rows with a missing value in a column used are left out.
    drivers : sequence of str
        Numeric driver columns (at least one).
    trust : str
        Trust column, whole numbers 0-10.
    weights : str, optional
        Column of survey weights, finite and >= 0; rows with weight 0 are left out (counted
        in ``n_dropped``).
    standardise_within : str, optional
        Column within whose values the drivers are standardised.
    fixed_effects : str or sequence of str, optional
        Dummies for each cell of these columns, except the largest.
    cluster : str, optional
        Column of cluster ids: cluster-robust standard errors.

    Returns
    -------
    TrustFit
        The coefficients, average marginal effects and fit diagnostics.

    Raises
    ------
    ModelError
        On an unknown column, no drivers, invalid weights, no complete rows, trust values
        that are not whole numbers 0-10, only neutral answers, a single trust category, a
        driver that does not vary (within a group), a rank-deficient design, a singular
        information matrix, or fewer than two clusters.
    """
    drivers = list(drivers)
    effects = _as_list(fixed_effects)
    extra = [c for c in (weights, standardise_within, cluster) if c is not None]
    _check_columns(frame, [trust, *drivers, *effects, *extra])
    if not drivers:
        raise ModelError("give at least one driver")
    data, dropped = _complete(frame, [trust, *drivers, *effects, *extra])
    raw_w = _weights(data, weights)
    if weights is not None:
        dropped += int((raw_w == 0).sum())
        data, raw_w = data[raw_w > 0].reset_index(drop=True), raw_w[raw_w > 0]
    if data.empty:
        raise ModelError("no respondents with trust and every driver answered")
    score = data[trust].to_numpy(dtype="float64")
    bad = sorted(set(score[(score < 0) | (score > 10) | (score != np.round(score))].tolist()))
    if bad:
        raise ModelError(f"trust '{trust}' must be whole numbers 0-10; found {bad[:10]}")
    groups = data[standardise_within] if standardise_within else None
    z, scaling = _standardise(data[drivers], raw_w, groups)
    keep = score != TRUST_NEUTRAL
    n_neutral = int((~keep).sum())
    if not keep.any():
        raise ModelError(
            f"no respondents left after dropping neutral answers ({trust} = {TRUST_NEUTRAL})"
        )
    data, z = data[keep].reset_index(drop=True), z[keep].reset_index(drop=True)
    y = (score[keep] >= TRUST_HIGH[0]).astype("float64")
    if y.min() == y.max():
        side = "high (6-10)" if y[0] else "low (0-4)"
        raise ModelError(f"every respondent in the model has {side} trust: a single category")
    w = raw_w[keep] / raw_w[keep].mean()
    fe = _fixed_effects(data, effects)
    x = pd.concat([pd.DataFrame({INTERCEPT: np.ones(len(data))}), z, fe], axis=1)
    xm = x.to_numpy(dtype="float64")
    _check_rank(xm, x.columns)
    glm = sm.GLM(y, xm, family=sm.families.Binomial(), var_weights=w if weights else None)
    result = glm.fit()
    params = np.asarray(result.params)
    p_hat = expit(xm @ params)
    slope = p_hat * (1 - p_hat)
    bread = _inverse((xm * (w * slope)[:, None]).T @ xm, "the trust logit")
    scores = (w * (y - p_hat))[:, None] * xm
    n = len(y)
    n_clusters = None
    if cluster is not None:
        codes, n_clusters = _cluster_codes(data, cluster)
        vcov = _sandwich(
            bread, _cluster_sums(scores, codes, n_clusters), n_clusters / (n_clusters - 1)
        )
        se_type = "cluster (HC0 sandwich x G/(G-1))"
    elif weights is not None:
        vcov = _sandwich(bread, scores, n / (n - 1))
        se_type = "robust (HC0 sandwich x n/(n-1))"
    else:
        vcov, se_type = bread, "model"
    table = _tidy(x.columns, params, np.sqrt(np.diag(vcov)))
    coefficients, fixed = _split(table, fe.columns)

    share = w / w.sum()
    ame, grads = [], []
    for d in range(1, len(drivers) + 1):
        grad = (share * params[d] * slope * (1 - 2 * p_hat)) @ xm
        grad[d] += share @ slope
        ame.append(params[d] * (share @ slope))
        grads.append(grad)
    grads = np.array(grads)
    ame_se = np.sqrt(np.einsum("ij,jk,ik->i", grads, vcov, grads))
    loglik = float(result.llf)
    return TrustFit(
        coefficients=coefficients,
        ame=_tidy(drivers, np.array(ame), ame_se),
        fixed_effects=fixed,
        scaling=scaling,
        n=n,
        n_neutral=n_neutral,
        n_dropped=dropped,
        high_share=float(share @ y),
        converged=bool(result.converged),
        loglik=loglik,
        aic=None if weights else 2 * xm.shape[1] - 2 * loglik,
        se_type=se_type,
        n_clusters=n_clusters,
        calibration=_binary_calibration(y, p_hat, w),
        vcov=pd.DataFrame(vcov, index=x.columns, columns=x.columns),
        design=z,
        weights=w,
    )


# ----------------------------------------------------------------------------- panel


@dataclass(frozen=True)
class PanelFit:
    """OLS on a unit-by-time panel with time fixed effects and unit-clustered SEs.

    Attributes
    ----------
    coefficients : DataFrame
        Intercept and predictors (t(G-1) intervals).
    time_effects : DataFrame
        Each period against the first, terms named ``<time><period>``.
    n : int
        Unit-periods used.
    n_units : int
        Units (clusters).
    n_periods : int
        Periods.
    n_dropped : int
        Rows left out for a missing value.
    r_squared : float
        The OLS R-squared.
    se_type : str
        How the standard errors were computed.
    limitations : str
        A plain-language statement of what the estimates can and cannot say.
    """

    coefficients: pd.DataFrame  # Intercept and predictors
    time_effects: pd.DataFrame  # each period against the first
    n: int
    n_units: int
    n_periods: int
    n_dropped: int
    r_squared: float
    se_type: str
    limitations: str


def _limitations(n: int, units: int, periods: int, unit: str) -> str:
    few = (
        f"With {units} units the clustered standard errors are approximate (they are dependable "
        "with roughly 50 or more clusters); the intervals use a t distribution with "
        f"{units - 1} degrees of freedom, and p-values near 0.05 should be read as inconclusive."
        if units < 50
        else f"Standard errors are clustered by {unit} ({units} clusters)."
    )
    single = (
        " There is a single period, so nothing is adjusted for common year shocks."
        if periods < 2
        else ""
    )
    return (
        f"Observational panel of {units} units ({unit}) over {periods} periods ({n} "
        "unit-periods). The coefficients are associations between unit-level figures after "
        "removing what all units share in a year (year fixed effects); they are not causal "
        "effects: units that differ on a predictor differ in other, unmeasured ways too, and "
        "there are no unit fixed effects, so stable differences between units contribute. "
        "They are ecological: a relationship between agency averages need not hold for the "
        f"staff or citizens inside an agency. {few}{single}"
    )


def fit_panel(
    frame: pd.DataFrame,
    outcome: str,
    predictors: Sequence[str],
    *,
    unit: str,
    time: str,
    reference: dict | None = None,
) -> PanelFit:
    """``outcome_ut = a + x_ut'b + year_t + e_ut`` by OLS, SEs clustered by ``unit``.

    One row per unit and period. Clustered SEs are statsmodels' ``cov_type="cluster"`` (factor
    ``G/(G-1) (N-1)/(N-K)``, as Stata's ``regress, vce(cluster)``), with t(G-1) intervals.

    Parameters
    ----------
    frame : DataFrame
        One row per unit and period; rows with a missing value in a column used are left out.
    outcome : str
        Numeric outcome column.
    predictors : sequence of str
        Predictor columns; non-numeric ones are categorical (module docstring).
    unit : str
        Column of the units, the clusters (at least two).
    time : str
        Column of the periods (e.g. ``fiscal_year``); the first in sorted order is the
        reference.
    reference : dict, optional
        ``{column: level}``: the reference level of a categorical predictor.

    Returns
    -------
    PanelFit
        The coefficients, time effects, diagnostics and a statement of the limitations.

    Raises
    ------
    ModelError
        On an unknown column, more than one row per unit and period, fewer than two units, a
        constant predictor, a bad reference level or a rank-deficient design.
    """
    predictors = list(predictors)
    _check_columns(frame, [outcome, *predictors, unit, time])
    data, dropped = _complete(frame, [outcome, *predictors, unit, time])
    repeated = data.duplicated([unit, time])
    if repeated.any():
        example = data.loc[repeated, [unit, time]].iloc[0].tolist()
        raise ModelError(
            f"more than one row per {unit} and {time} (e.g. {example}); aggregate to one row "
            "per unit and period first"
        )
    codes, n_units = _cluster_codes(data, unit)
    periods = sorted(data[time].unique().tolist())
    design = _design(data, predictors, reference)
    effects = pd.DataFrame(
        {f"{time}{t}": (data[time] == t).to_numpy(dtype="float64") for t in periods[1:]}
    )
    x = pd.concat([pd.DataFrame({INTERCEPT: np.ones(len(data))}), design, effects], axis=1)
    _check_rank(x.to_numpy(), x.columns)
    y = data[outcome].to_numpy(dtype="float64")
    result = sm.OLS(y, x.to_numpy(dtype="float64")).fit(
        cov_type="cluster", cov_kwds={"groups": codes}, use_t=True
    )
    table = _tidy(x.columns, result.params, result.bse, df=n_units - 1)
    coefficients, time_effects = _split(table, effects.columns)
    return PanelFit(
        coefficients=coefficients,
        time_effects=time_effects,
        n=len(data),
        n_units=n_units,
        n_periods=len(periods),
        n_dropped=dropped,
        r_squared=float(result.rsquared),
        se_type=f"cluster by {unit} (G/(G-1) (N-1)/(N-K)), t({n_units - 1})",
        limitations=_limitations(len(data), n_units, len(periods), unit),
    )
