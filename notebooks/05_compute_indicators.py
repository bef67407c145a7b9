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
# # 05 · ตัวชี้วัดความสำเร็จ / The ten success indicators
#
# A1-A7 for every agency and O1-O3 for OCSC, in one table
# (`data/processed/<year>/indicators/indicators.parquet`): value, 95 % interval where it is an
# estimate, respondents, target (placeholders in `config/targets.yaml`, to be set by the
# evaluators), status, change from the previous year with a design-based test, percentile among
# agencies, and ministry and government-wide benchmarks (median and upper quartile of agency
# values). Survey estimates use the weights of stage 02: staff raked to the registry
# headcounts by position group, citizens post-stratified to region shares. Nothing from fewer
# than 10 respondents is published. Definitions: `helpers.indicators.kpi` and `config/targets.yaml`.
#
# At the end, the agency-by-year panel relating staff development (A3, A5) to citizen trust
# (A7) over the years processed so far.

# %% tags=["parameters"]
year: int = 2565  # fiscal year, B.E. (a C.E. year such as 2022 is accepted)

# %%
import pandas as pd
from IPython.display import Markdown, display

from helpers.core import atomic, paths, years
from helpers.indicators import aggregates, kpi
from helpers.ingest import cleaning
from helpers.ingest.registry import load_registry
from helpers.stats import models, weights

year = years.parse(year)
registry = load_registry()
clean = {
    name: cleaning.read_clean(year, name)
    for name in ("staff_survey", "citizen_survey", "agency_return", "ocsc_return")
}
staff = weights.attach_weights(clean["staff_survey"], "staff_survey", year)
citizen = weights.attach_weights(clean["citizen_survey"], "citizen_survey", year)
staff_weighting = weights.read_weighting("staff_survey", year)
tables = {**clean, "staff_survey": staff, "citizen_survey": citizen}
previous_path = paths.processed_dir(year - 1, "indicators") / "indicators.parquet"
previous = pd.read_parquet(previous_path) if previous_path.is_file() else None
display(
    Markdown(
        f"**{years.label(year)} · {years.label(year, 'en')}**; previous year's "
        f"indicators {'found' if previous is not None else 'not found (no change test)'}."
    )
)

# %% [markdown]
# ## Staff weighting: response rate and effective sample size per agency

# %%
display(staff_weighting.sort_values("respondents").head(10).round(3))

# %% [markdown]
# ## The indicator table

# %%
table = kpi.indicator_table(year, tables, registry, previous=previous)
items = kpi.item_results(staff, year, registry=registry)
agencies = table.loc[table["agency_code"] != "OCSC", "agency_code"].nunique()
expected = set().union(
    *(set(clean[n]["agency"]) for n in ("staff_survey", "citizen_survey", "agency_return"))
)
complete = table[table["agency_code"] != "OCSC"].groupby("agency_code")["indicator"].nunique()
assert (complete == 7).all() and set(complete.index) == expected, "an agency lacks an A-row"
display(Markdown(f"{len(table)} rows: {agencies} agencies x A1-A7, and O1-O3."))
display(
    table.pivot_table(
        index="indicator", columns="status", values="fiscal_year", aggfunc="count", fill_value=0
    )
)
display(table[table["agency_code"] == "OCSC"][["indicator", "value", "target", "status"]])

# %% [markdown]
# ## Significant changes from the previous year (p < .05)

# %%
changed = table[table["change_significant"]]
display(
    changed[["agency_code", "indicator", "previous_value", "value", "change", "change_p"]].round(3)
    if len(changed)
    else Markdown("_None (or no previous year)._")
)

# %% [markdown]
# ## Strengths and challenges (FEVS: >= 65 % positive, >= 35 % negative), items

# %%
display(items.groupby("item")[["strength", "challenge"]].sum().astype(int).T)

# %%
written = kpi.write_indicators(table, year, items=items)

# %% [markdown]
# ## Aggregates for the reports
# Construct, persona and trust-driver scores per agency with benchmarks, the within-agency
# correlates of satisfaction, the rows cleaning set aside per agency, and the funnel-plot
# parameters. The report notebooks read these and the indicator table, never respondent rows.

# %%
report_tables = {
    "measures": aggregates.measure_results(staff, citizen, year, registry),
    "satisfaction_correlations": aggregates.satisfaction_correlations(staff, year),
    "set_aside_by_agency": aggregates.set_aside_summary(
        pd.read_parquet(cleaning.output_dir(year) / "set_aside.parquet"), year
    ),
    "funnel_parameters": aggregates.funnel_parameters(staff, table, year),
    "missing_questions": aggregates.missing_questions(
        pd.read_parquet(cleaning.output_dir(year) / "ledger.parquet"), clean, year
    ),
}
aggregates.write_aggregates(report_tables, year)
display(
    Markdown(", ".join(f"{name}: {len(frame):,} rows" for name, frame in report_tables.items()))
)

# %% [markdown]
# ## Staff development and citizen trust (agency-by-year panel)
# Outcome: the agency's share of citizens with high trust (A7). Predictors: the share of staff
# carrying out an IDP (A3) and the staff satisfaction index (A5). Year effects; standard errors
# clustered by agency. Limits are stated below the table.

# %%
history = kpi.indicator_history(year)
processed_years = sorted(int(y) for y in history["fiscal_year"].unique())
panel = (
    history[history["indicator"].isin(["A3", "A5", "A7"])]
    .pivot_table(index=["agency_code", "fiscal_year"], columns="indicator", values="value")
    .dropna()
    .reset_index()
)
if panel["fiscal_year"].nunique() >= 2 and panel["agency_code"].nunique() >= 10:
    link = models.fit_panel(panel, "A7", ["A3", "A5"], unit="agency_code", time="fiscal_year")
    display(link.coefficients.round(3))
    display(Markdown(link.limitations))
    atomic.write_parquet_atomic(
        link.coefficients.assign(
            fiscal_year=year,
            years=", ".join(map(str, processed_years)),
            limitations=link.limitations,
        ),
        paths.processed_dir(year, "models") / "trust_link_panel.parquet",
    )
else:
    display(
        Markdown(
            f"Not fitted: needs two or more years with indicators and ten or more "
            f"agencies; have years {processed_years} and "
            f"{panel['agency_code'].nunique()} agencies."
        )
    )

# %% [markdown]
# ## Results by staff group
# A3, A5, A6 and the three constructs by position type, level group, age band, gender and
# years of service (groups in `config/pipeline.yaml`, `breakdowns`), per agency and
# government-wide, each group a domain of its agency's design. Groups below 10 respondents are
# withheld (primary), and further groups, smallest first, so that no withheld count or value
# follows from the totals and the shown groups, within a table or across agencies
# (complementary). Rules: `helpers.indicators.suppression`.

# %%
from helpers.indicators import breakdowns

by_group = breakdowns.breakdown_table(staff, year, registry)
breakdowns.write_breakdowns(by_group, year)
display(
    by_group.assign(suppressed=by_group["suppressed"].fillna("shown"))
    .pivot_table(
        index="breakdown", columns="suppressed", values="fiscal_year", aggfunc="count", fill_value=0
    )
    .reindex(columns=["shown", "primary", "complementary"], fill_value=0)
)
