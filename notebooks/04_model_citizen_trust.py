# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python (Thai HRD workbook)
#     language: python
#     name: thai-hrd-workbook
# ---

# %% [markdown]
# # 04 · แบบจำลองความเชื่อมั่นของประชาชน / Citizen trust (A7) and its drivers
#
# The OECD Trust Survey method: high trust (6-10) against low trust (0-4), neutral answers (5)
# left out; weighted logistic regression on the five drivers (reliability, responsiveness,
# integrity, openness, fairness) standardised within the year; results as average marginal
# effects (percentage points of high trust per standard deviation of a driver), with
# agency-clustered standard errors. Weights: each agency's sample post-stratified to the region
# shares in `config/weights.yaml`.
#
# The link between staff development and citizen trust (an agency-by-year panel) needs the
# indicators of every year, so it is fitted at the end of `05_compute_indicators`.

# %% tags=["parameters"]
year: int = 2565  # fiscal year, B.E. (a C.E. year such as 2022 is accepted)

# %%
import matplotlib.pyplot as plt
import seaborn as sns
from IPython.display import Markdown, display

from helpers.core import atomic, paths, years
from helpers.ingest import cleaning
from helpers.stats import models, weights

year = years.parse(year)
out = paths.processed_dir(year, "models")
sns.set_theme(style="whitegrid")
citizen = weights.attach_weights(
    cleaning.read_clean(year, "citizen_survey"), "citizen_survey", year
)
citizen_summary = weights.read_weighting("citizen_survey", year)
drivers = ["drv_reliability", "drv_responsiveness", "drv_integrity", "drv_openness", "drv_fairness"]
surveyed = len(citizen) > 0
display(
    Markdown(
        f"**{years.label(year)} · {years.label(year, 'en')}**: "
        f"{len(citizen):,} citizen responses from {citizen['agency'].nunique()} agencies."
    )
)
if not surveyed:  # a year without a citizen survey: nothing to fit, and no stale results
    removed = atomic.remove_files(out, "citizen_*.parquet")
    display(
        Markdown(
            "**ไม่มีการสำรวจความเชื่อมั่นของประชาชนในปีนี้ / No citizen survey this year**: the "
            "trust model is not fitted; the reports show A7 as no data."
            + (
                f" Earlier results removed: {', '.join(p.name for p in removed)}."
                if removed
                else ""
            )
        )
    )

# %% [markdown]
# ## Driver scores by trust level
# The model compares high trust (6-10) with low trust (0-4): the driver lines should climb from
# left to right, and a jump at the neutral band with flat stretches either side means the
# drivers separate the two groups more than they grade trust within each.

# %%
if surveyed:
    by_trust = (
        citizen[["trust", "weight", *drivers]]
        .astype("float64")
        .melt(id_vars=["trust", "weight"], var_name="driver", value_name="score")
        .dropna()
    )
    by_trust["driver"] = by_trust["driver"].str.removeprefix("drv_")
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    ax.axvspan(4.5, 5.5, color="0.9", zorder=0)
    ax.text(
        5, 0.02, "neutral:\nleft out", ha="center", fontsize=8, transform=ax.get_xaxis_transform()
    )
    sns.lineplot(
        by_trust,
        x="trust",
        y="score",
        hue="driver",
        style="driver",
        weights="weight",
        errorbar=None,
        markers=True,
        dashes=False,
        ax=ax,
    )
    ax.set_xticks(range(11))
    ax.set_xlabel("trust in the agency (0-10)")
    ax.set_ylabel("weighted mean driver score (0-10)")
    ax.set_title(f"Driver scores by trust level, FY{year - years.BE_OFFSET}")
    sns.move_legend(ax, "center left", bbox_to_anchor=(1, 0.5))
    plt.tight_layout()
    plt.show()

# %% [markdown]
# ## Drivers of high trust (weighted logit, average marginal effects)

# %%
if surveyed:
    trust = models.fit_trust_logit(citizen, drivers, "trust", weights="weight", cluster="agency")
    display(
        Markdown(
            f"n = {trust.n:,} (neutral answers left out: {trust.n_neutral:,}; incomplete: "
            f"{trust.n_dropped:,}); weighted share with high trust {trust.high_share:.1%}; "
            f"converged: **{trust.converged}**; SE: {trust.se_type}."
        )
    )
    display(trust.coefficients.round(4))
    display(trust.ame.round(4))

# %%
if surveyed:
    ame = trust.ame.set_index("term")
    fig, ax = plt.subplots(figsize=(6, 2.8))
    ax.errorbar(
        100 * ame["estimate"],
        ame.index,
        fmt="o",
        capsize=3,
        xerr=[100 * (ame["estimate"] - ame["ci_low"]), 100 * (ame["ci_high"] - ame["estimate"])],
    )
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xlabel("percentage points of high trust per SD (95% CI)")
    ax.set_title(f"Drivers of citizen trust, FY{year - years.BE_OFFSET}")
    plt.tight_layout()
    plt.show()

# %% [markdown]
# ## Residual check: observed against predicted high trust, by decile of prediction
# A well-calibrated model tracks the diagonal; systematic gaps at the ends suggest a missing
# driver or a non-linear effect.

# %%
if surveyed:
    calibration = trust.calibration
    display(calibration.round(3))

# %% [markdown]
# Each dot is a tenth of the respondents in the model, ordered by predicted chance of high trust.
# Dots above the grey line mean the model under-predicts high trust in that tenth, below it
# over-predicts.

# %%
if surveyed:
    fig, ax = plt.subplots(figsize=(4.2, 4))
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8)
    sns.lineplot(calibration, x="predicted", y="observed", marker="o", ax=ax)
    ax.set(xlim=(0, 1), ylim=(0, 1), aspect="equal")
    ax.set_xlabel("predicted share with high trust")
    ax.set_ylabel("observed share (weighted)")
    ax.set_title("Calibration by decile")
    plt.tight_layout()
    plt.show()

# %% [markdown]
# ## Weighting by agency (design effect of the weights, effective sample size)

# %%
if surveyed:
    display(
        citizen_summary[
            [
                "agency_code",
                "respondents",
                "regions_present",
                "design_effect_weighting",
                "effective_n",
            ]
        ]
        .round(2)
        .head(10)
    )

# %% [markdown]
# Weights only correct each agency's region mix, so a region over-represented in the samples
# sits below 1 and an under-represented one above. A long right tail or a pile at the cap means
# a few respondents carry much of the weight.

# %%
if surveyed:
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    sns.histplot(
        citizen.assign(region=citizen["region"].fillna("(missing)")),
        x="weight",
        hue="region",
        multiple="stack",
        log_scale=True,
        bins=30,
        ax=ax,
    )
    ax.axvline(1, color="grey", lw=0.8)
    ticks = [0.2, 0.5, 1, 2, 5]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("weight (1 = agency mean; log scale)")
    ax.set_ylabel("respondents")
    ax.set_title(f"Citizen survey weights by region, FY{year - years.BE_OFFSET}")
    plt.tight_layout()
    plt.show()

# %% [markdown]
# The design effect of every agency (the table shows ten): 2 means unequal weights halve the
# agency's effective sample size. Agencies far above the rest deserve a look at their regions.

# %%
if surveyed:
    by_deff = citizen_summary.sort_values("design_effect_weighting", ascending=False)
    fig, ax = plt.subplots(figsize=(6.5, max(2.4, 1 + 0.16 * len(by_deff))))
    sns.stripplot(
        by_deff, x="design_effect_weighting", y="agency_code", jitter=False, size=6, ax=ax
    )
    ax.axvline(1, color="grey", lw=0.8)
    ax.set_xlabel("design effect of the weights (1 = no loss)")
    ax.set_ylabel("agency")
    ax.set_title("Design effect of the weighting, by agency")
    plt.tight_layout()
    plt.show()

# %%
if surveyed:
    results = {
        "citizen_trust_coefficients": trust.coefficients,
        "citizen_trust_ame": trust.ame,
        "citizen_trust_scaling": trust.scaling,
    }
    for name, table in results.items():
        atomic.write_parquet_atomic(table.assign(fiscal_year=year), out / f"{name}.parquet")
