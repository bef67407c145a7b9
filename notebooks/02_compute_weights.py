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
# # 02 · น้ำหนักการสำรวจ / Survey weights
#
# The one place the survey weights are computed, with the settings of `config/weights.yaml`
# (method: `helpers.stats.weights`). Staff respondents are weighted to the registry headcounts
# of their agency by position group (cells collapsed when too small, weights capped and raked
# back); citizens are post-stratified to the region shares within each agency. The model of
# citizen trust and the indicators read these weights
# (`data/processed/<year>/weights/`); the reports' methods section describes them from the same
# configuration. Every respondent keeps the calibration cell the weights were made in, so the
# indicators' standard errors include the calibration, and analysts can re-analyse in R or
# Stata from `<instrument>_weights.parquet` (response id and source row, agency, cell, cell
# total, weight).

# %% tags=["parameters"]
year: int = 2565  # fiscal year, B.E. (a C.E. year such as 2022 is accepted)

# %%
from IPython.display import Markdown, display

from helpers.core import years
from helpers.ingest import cleaning
from helpers.ingest.registry import load_registry
from helpers.stats import weights

year = years.parse(year)
registry = load_registry()
staff, staff_weighting = weights.staff_weights(cleaning.read_clean(year, "staff_survey"), registry)
citizen, citizen_weighting = weights.citizen_weights(cleaning.read_clean(year, "citizen_survey"))
settings = weights.settings()
display(
    Markdown(
        f"**{years.label(year)} · {years.label(year, 'en')}**: {len(staff):,} staff and "
        f"{len(citizen):,} citizen respondents weighted; weights capped at {settings.cap:g} "
        f"(staff) and {settings.citizen_cap:g} (citizens) times the agency's mean weight."
    )
)

# %% [markdown]
# ## Staff: response rate, design effect and effective sample size per agency

# %%
display(staff_weighting.sort_values("respondents").head(10).round(3))

# %% [markdown]
# ## Citizens: regions present, design effect and effective sample size per agency

# %%
display(
    citizen_weighting[
        ["agency_code", "respondents", "regions_present", "design_effect_weighting", "effective_n"]
    ]
    .round(2)
    .head(10)
)

# %%
written = weights.write_weights(staff, staff_weighting, "staff_survey", year)
written += weights.write_weights(citizen, citizen_weighting, "citizen_survey", year)
display(Markdown("Written: " + ", ".join(f"`{p.name}`" for p in written)))
display(
    Markdown(
        "Respondent weights for re-analysis, columns "
        + ", ".join(f"`{c}`" for c in weights.respondent_weights(staff, "staff_survey").columns)
        + ": post-stratify on agency x `weight_cell` to `cell_total` "
        "(R `postStratify`, Stata `svyset ..., poststrata() postweight(cell_total)`)."
    )
)
