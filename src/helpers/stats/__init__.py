"""Layer 2, survey statistics: designs and variance (``survey``), weights, scores and the
models. Imports only ``core``.
"""
