"""Layer 1, raw files to clean tables: readers, header matching, value normalisation, dates,
the agency registry, privacy, schemas and the cleaning stage itself. Imports only ``core``.
"""
