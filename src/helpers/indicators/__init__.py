"""Layer 3, the ten indicators and the report tables: definitions, estimates and
comparisons (``kpi``) and the per-agency aggregates the reports read (``aggregates``).
"""
