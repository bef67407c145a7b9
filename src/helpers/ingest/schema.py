"""Declared schemas (pandera) of the processed tables, built from the codebooks.

Cleaning validates every table against its schema before writing it: a failure here means the
cleaning code let through something the codebook forbids, and nothing is written.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from helpers.core.config import Codebook, Column, Scale
from helpers.ingest.normalise import normaliser_for
from helpers.ingest.registry import AgencyMatcher

PROVENANCE = {
    "fiscal_year": pa.Column("Int64", nullable=False),
    "source_file": pa.Column("string", nullable=False),
    "source_row": pa.Column("Int64", pa.Check.ge(2), nullable=False),
}


def _checks(column: Column, scales: dict[str, Scale], agency_codes: list[str]) -> list[pa.Check]:
    if column.type in {"likert", "binary", "category"}:
        return [pa.Check.isin(scales[column.scale].codes)]
    if column.type in {"score", "integer"}:
        return [pa.Check.in_range(column.minimum, column.maximum)]
    if column.type == "count":
        return [pa.Check.ge(0)]
    if column.type == "percent":
        return [pa.Check.in_range(0, 100)]
    if column.type == "year":
        return [pa.Check.in_range(2500, 2700)]
    if column.type == "agency":
        return [pa.Check.isin(agency_codes)]
    if column.type == "free_text":
        return [
            pa.Check(
                lambda s: ~s.str.contains(r"\d{13}", regex=True, na=False),
                error="no 13-digit identifiers in free text",
            )
        ]
    return []


def processed_schema(
    codebook: Codebook, scales: dict[str, Scale], matcher: AgencyMatcher
) -> pa.DataFrameSchema:
    """The schema of ``data/processed/<year>/clean/<instrument>.parquet``."""
    codes = list(matcher.registry["agency_code"])
    columns = {}
    for column in codebook.columns:
        dtype = normaliser_for(column, scales, matcher).dtype
        checks = _checks(column, scales, codes)
        is_id = column.name == codebook.id_column
        if is_id:  # ids are unique where given (survey exports may leave them empty)
            checks.append(
                pa.Check(
                    lambda s: not s.dropna().duplicated().any(),
                    error=f"{column.name} values are unique",
                )
            )
        columns[column.name] = pa.Column(
            dtype,
            checks=checks,
            nullable=not (column.required or (is_id and codebook.unit != "respondent")),
        )
    return pa.DataFrameSchema({**columns, **PROVENANCE}, strict=True, ordered=False)


def empty_frame(schema: pa.DataFrameSchema) -> pd.DataFrame:
    """A table with the schema's columns and types and no rows."""
    return pd.DataFrame(
        {name: pd.Series(dtype=str(col.dtype)) for name, col in schema.columns.items()}
    )
