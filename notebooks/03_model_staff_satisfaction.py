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
# # 03 · แบบจำลองความพึงพอใจของบุคลากร / Staff satisfaction with development (A5)
#
# What drives staff satisfaction with personnel development, and how agencies differ once
# chance is allowed for. For analysts: the diagnostics below say whether to trust the fits.
#
# - **Ordinal logistic model** (proportional odds, MASS `polr` parameterisation) of overall
#   satisfaction (`sat_overall`, 1-5) on the ecosystem, skillset and mindset scores and IDP
#   status, standard errors clustered by agency. Unweighted: the model describes how answers
#   relate within the sample; weights matter for population shares, not for these slopes.
# - **Random-intercept model** of the 0-100 satisfaction index with an agency intercept:
#   shrunken agency estimates for small agencies, shown beside the direct ones.
# - **Relative importance** of the drivers, and **reliability** (Cronbach's alpha) per construct.

# %% tags=["parameters"]
year: int = 2565  # fiscal year, B.E. (a C.E. year such as 2022 is accepted)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display

from helpers.core import atomic, config, paths, years
from helpers.indicators import kpi
from helpers.ingest import cleaning
from helpers.stats import models, scores, survey

year = years.parse(year)
book = config.codebook("staff_survey")
staff = scores.staff_scores(cleaning.read_clean(year, "staff_survey"))
out = paths.processed_dir(year, "models")
sns.set_theme(style="whitegrid")
display(
    Markdown(
        f"**{years.label(year)} · {years.label(year, 'en')}**: "
        f"{len(staff):,} staff responses from {staff['agency'].nunique()} agencies."
    )
)

# %% [markdown]
# ## Drivers of overall satisfaction (ordinal logit, agency-clustered SEs)

# %%
drivers = ["eco_score", "skl_score", "mnd_score", "idp_carried"]
ordinal = models.fit_ordinal(
    staff.astype({d: "float64" for d in drivers}),
    "sat_overall",
    drivers,
    categories=[1, 2, 3, 4, 5],
    cluster="agency",
)
display(
    Markdown(
        f"n = {ordinal.n:,} (dropped {ordinal.n_dropped:,} incomplete), "
        f"converged: **{ordinal.converged}**, AIC {ordinal.aic:,.1f}, "
        f"SE: {ordinal.se_type}, {ordinal.n_clusters} clusters."
    )
)
display(ordinal.table.round(4))
importance = models.relative_importance(ordinal)
display(importance.round(3))

# %%
fig, ax = plt.subplots(figsize=(6, 2.8))
coef = ordinal.coefficients.set_index("term")
ax.errorbar(
    coef["estimate"],
    coef.index,
    xerr=[coef["estimate"] - coef["ci_low"], coef["ci_high"] - coef["estimate"]],
    fmt="o",
    capsize=3,
)
ax.axvline(0, color="grey", lw=0.8)
ax.set_xlabel("log-odds per unit (95% CI)")
ax.set_title(f"Drivers of overall satisfaction, FY{year - years.BE_OFFSET}")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Residual check: observed against predicted answer shares
# Gaps of more than a couple of percentage points suggest a missing driver or that the
# proportional-odds assumption does not hold.

# %%
display((ordinal.calibration.set_index("category") * 100).round(1))

# %% [markdown]
# The overall shares above match closely by construction, so the chart splits respondents into
# fifths by predicted satisfaction. In every fifth the dots (observed) should sit on the lines
# (predicted); dots drifting off at the low or high end point to non-proportional odds.

# %%
answers = staff[["sat_overall", *drivers, "agency"]].dropna()["sat_overall"].astype("int64")
assert len(answers) == ordinal.n  # the rows the model used, in the same order
predicted = ordinal.predicted_probabilities()
expected = predicted.to_numpy() @ np.arange(1, len(ordinal.categories) + 1)  # rises with eta
fifth = pd.qcut(pd.Series(expected).rank(method="first"), 5, labels=[1, 2, 3, 4, 5])
by_fifth = {  # share of each fifth giving each answer: fifth x answer
    "predicted": predicted.groupby(fifth, observed=True).mean(),
    "observed": pd.crosstab(fifth, answers.to_numpy(), normalize="index"),
}
shares = {  # the same in long format: fifth, answer, share (%)
    source: (100 * table)
    .rename_axis(index="fifth", columns="answer")
    .stack()
    .rename("share")
    .reset_index()
    .astype({"fifth": "int64"})
    for source, table in by_fifth.items()
}
fig, ax = plt.subplots(figsize=(6.5, 3.8))
palette = sns.color_palette("viridis", len(ordinal.categories))
sns.lineplot(
    shares["predicted"],
    x="fifth",
    y="share",
    hue="answer",
    palette=palette,
    ax=ax,
)
sns.scatterplot(
    shares["observed"],
    x="fifth",
    y="share",
    hue="answer",
    palette=palette,
    s=45,
    legend=False,
    zorder=3,
    ax=ax,
)
ax.set_xticks([1, 2, 3, 4, 5], ["1\nlowest", "2", "3", "4", "5\nhighest"])
ax.set_xlabel("fifth of respondents by predicted satisfaction")
ax.set_ylabel("% of the fifth giving each answer")
ax.set_title("Answer shares: predicted (lines) and observed (dots)")
ax.legend(title="answer", loc="center left", bbox_to_anchor=(1, 0.5))
plt.tight_layout()
plt.show()

# %% [markdown]
# ## The satisfaction index (0-100) by IDP status
# The index is the outcome of the random-intercept model below, which treats it as continuous
# and unbounded: look for piles at 0 and 100 and a long tail, and for the gap between staff
# with and without an IDP being carried out.

# %%
idp_labels = {1: "IDP carried out", 0: "no IDP / not carried out"}
index_by_idp = staff[["sat_index", "idp_carried"]].dropna().astype("float64")
index_by_idp["idp"] = index_by_idp["idp_carried"].map(idp_labels)
fig, ax = plt.subplots(figsize=(6.5, 3.4))
sns.histplot(
    index_by_idp,
    x="sat_index",
    hue="idp",
    hue_order=list(idp_labels.values()),
    bins=np.arange(-3.125, 106.25, 6.25),  # centred on the index's 6.25-point steps
    stat="percent",
    common_norm=False,
    element="step",
    ax=ax,
)
ax.set_xlabel("satisfaction index (0-100)")
ax.set_ylabel("% of staff in the group")
ax.set_title(f"Satisfaction index by IDP status, FY{year - years.BE_OFFSET}")
ax.get_legend().set_title(None)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Agency effects: direct and shrunken estimates (random-intercept model)
# Small agencies' direct means are noisy; the shrunken means borrow strength from the others.
# Every agency is in the model, but agencies with fewer respondents than the reporting threshold
# are neither shown here nor in the chart below: the saved table marks them `below_threshold`
# (it is internal, like everything under data/processed/, and never published as it is).

# %%
mixed = models.fit_random_intercept(
    staff.astype({d: "float64" for d in drivers[:3]}), "sat_index", drivers[:3], "agency"
)
display(Markdown(f"converged: **{mixed.converged}**; variance components:"))
display(mixed.variance_components)
k = kpi.reporting_threshold()
agency_effects = mixed.groups.sort_values("n").assign(below_threshold=lambda t: t["n"] < k)
shown = agency_effects[~agency_effects["below_threshold"]]
display(
    Markdown(
        f"{len(agency_effects) - len(shown)} of {len(agency_effects)} agencies have fewer than "
        f"{k} respondents: in the model, not shown."
    )
)
display(shown.drop(columns="below_threshold").head(10).round(2))

# %% [markdown]
# Each dot is an agency, sized by its respondents. Large agencies sit on the grey line (their
# own mean is trusted); small ones are pulled off it towards what their staff's scores predict.

# %%
fig, ax = plt.subplots(figsize=(5.2, 4.6))
sns.scatterplot(shown, x="raw_mean", y="shrunken_mean", size="n", sizes=(15, 250), alpha=0.8, ax=ax)
means = shown[["raw_mean", "shrunken_mean"]]
limits = (means.min().min() - 2, means.max().max() + 2)
ax.plot(limits, limits, color="grey", lw=0.8)
ax.set(xlim=limits, ylim=limits, aspect="equal")
ax.set_xlabel("direct agency mean (0-100)")
ax.set_ylabel("shrunken agency mean (0-100)")
ax.set_title("Agency means: direct vs shrunken")
sns.move_legend(ax, "upper left", title="respondents")
plt.tight_layout()
plt.show()

# %% [markdown]
# Residuals (a person's index minus the model's fitted value) should scatter evenly around zero,
# with the orange bin means on the zero line. The diagonal stripes come from the index's steps
# and the falling upper edge from its ceiling of 100.

# %%
used = staff[["sat_index", *drivers[:3], "agency"]].dropna()  # the rows the model used
fitted = mixed.fitted(used, "agency")
residuals = pd.DataFrame(
    {"fitted": fitted, "residual": used["sat_index"].astype("float64") - fitted}
)
fig, ax = plt.subplots(figsize=(6.5, 3.8))
sns.scatterplot(
    residuals, x="fitted", y="residual", s=5, alpha=0.12, linewidth=0, rasterized=True, ax=ax
)
sns.regplot(
    residuals, x="fitted", y="residual", x_bins=20, fit_reg=False, color="C1", seed=0, ax=ax
)
ax.axhline(0, color="grey", lw=0.8)
ax.set_xlabel("fitted satisfaction index (fixed part + agency intercept)")
ax.set_ylabel("residual (index points)")
ax.set_title("Random-intercept model: residuals against fitted values")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Reliability of each construct (Cronbach's alpha, listwise)

# %%
reliability = pd.DataFrame(
    [
        {
            "construct": construct,
            "items": len(book.items(construct)),
            "alpha": survey.cronbach_alpha(scores.item_values(staff, book, construct)),
        }
        for construct in ("ecosystem", "skillsets", "mindset", "persona", "satisfaction")
    ]
).assign(fiscal_year=year)
display(reliability.round(3))

# %%
results = {
    "staff_ordinal": ordinal.table,
    "staff_importance": importance,
    "staff_agency_effects": agency_effects,
    "staff_reliability": reliability,
}
for name, table in results.items():
    atomic.write_parquet_atomic(table.assign(fiscal_year=year), out / f"{name}.parquet")
