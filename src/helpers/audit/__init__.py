"""Layer 5, checks of what is published: the confidentiality audit of reports and tables."""
