# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python (Thai HRD workbook)
#     language: python
#     name: thai-hrd-workbook
# ---

# %% [markdown]
# # 03 · แบบจำลองความเชื่อมั่นของประชาชน / Citizen trust (A7) and its drivers
#
# The OECD Trust Survey method: high trust (6-10) against low trust (0-4), neutral answers (5)
# left out; weighted logistic regression on the five drivers (reliability, responsiveness,
# integrity, openness, fairness) standardised within the year; results as average marginal
# effects (percentage points of high trust per standard deviation of a driver), with
# agency-clustered standard errors. Weights: each agency's sample post-stratified to the region
# shares in `config/weights.yaml`.
#
# The link between staff development and citizen trust (an agency-by-year panel) needs the
# indicators of every year, so it is fitted at the end of `04_compute_indicators`.

# %% tags=["parameters"]
year: int = 2565  # fiscal year, B.E. (a C.E. year such as 2022 is accepted)

# %%
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from helpers import cleaning, io, models, paths, weights, years

year = years.to_be(year)
out = paths.processed_dir(year, "models")
citizen = cleaning.read_clean(year, "citizen_survey")
citizen, citizen_summary = weights.citizen_weights(citizen)
drivers = ["drv_reliability", "drv_responsiveness", "drv_integrity", "drv_openness", "drv_fairness"]
surveyed = len(citizen) > 0
display(
    Markdown(
        f"**{years.label(year)} · {years.label(year, 'en')}**: "
        f"{len(citizen):,} citizen responses from {citizen['agency'].nunique()} agencies."
    )
)
if not surveyed:  # a year without a citizen survey: nothing to fit, and no stale results
    removed = io.remove_files(out, "citizen_*.parquet")
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
    fig, ax = plt.subplots(figsize=(3.6, 3.4))
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8)
    ax.plot(calibration["predicted"], calibration["observed"], "o-")
    ax.set_xlabel("predicted share high trust")
    ax.set_ylabel("observed share")
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

# %%
if surveyed:
    results = {
        "citizen_trust_coefficients": trust.coefficients,
        "citizen_trust_ame": trust.ame,
        "citizen_trust_scaling": trust.scaling,
        "citizen_weighting": citizen_summary,
    }
    for name, table in results.items():
        io.write_parquet_atomic(table.assign(fiscal_year=year), out / f"{name}.parquet")
