"""Demo raw data, made the way agencies and survey tools make their exports
(``python -m helpers.demo``). Uses ``core`` and ``ingest`` (the registry).
"""
