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
# # 02 · แบบจำลองความพึงพอใจของบุคลากร / Staff satisfaction with development (A5)
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
import pandas as pd
from IPython.display import Markdown, display

from helpers import cleaning, config, io, models, paths, scores, survey, years

year = years.to_be(year)
book = config.codebook("staff_survey")
staff = scores.staff_scores(cleaning.read_clean(year, "staff_survey"))
out = paths.processed_dir(year, "models")
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
# ## Agency effects: direct and shrunken estimates (random-intercept model)
# Small agencies' direct means are noisy; the shrunken means borrow strength from the others.

# %%
mixed = models.fit_random_intercept(
    staff.astype({d: "float64" for d in drivers[:3]}), "sat_index", drivers[:3], "agency"
)
display(Markdown(f"converged: **{mixed.converged}**; variance components:"))
display(mixed.variance_components)
agency_effects = mixed.groups.sort_values("n")
display(agency_effects.head(10).round(2))

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
    io.write_parquet_atomic(table.assign(fiscal_year=year), out / f"{name}.parquet")
