"""The build engine: stages, units, fingerprints, executors, kernels and the notebook runner.

It knows no domain: it imports only ``core`` and reads what the stages declare through the
registries of :mod:`helpers.build.registry`; :mod:`helpers.app.stages` declares the workbook's
stages.
"""
