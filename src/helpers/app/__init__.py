"""Layer 6, the application: the workbook's stage declarations (``stages``) and its command
line (``cli``), the only place where the domain is wired into the build engine.
"""
