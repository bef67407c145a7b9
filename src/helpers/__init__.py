"""Evaluation workbook for Thailand's Public Sector Personnel Development Guideline B.E. 2563-2565.

Import the submodules you need (``helpers.ingest.cleaning``, ``helpers.demo.generator``
...); importing the
package itself has no side effects.
"""

__version__ = "0.1.0"
