"""Layer 0, the ground every other layer stands on: configuration, project paths, fiscal
years, Thai text, content hashes, atomic writes, errors. Imports nothing else of ``helpers``.
"""
