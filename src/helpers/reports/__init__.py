"""Layer 4, what the HTML reports show: shared formatting, data access, the agency report,
the overview, charts, the HTML export, the site index, and the digests that decide when an
agency's report is rebuilt.
"""
