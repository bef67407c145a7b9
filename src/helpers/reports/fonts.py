"""The reports' Thai typeface: vendored Laksaman (regular and bold), registered with matplotlib
for the charts and embedded in every page as ``@font-face`` ``data:`` URLs, so no system font or
network is needed (licence and provenance in ``assets/fonts``)."""

from __future__ import annotations

import base64
import functools
from pathlib import Path

FONT_FAMILY = "Laksaman"  # the family name matplotlib knows the files by
CSS_FONT_FAMILY = "Workbook Thai"  # the family name the pages declare
FONT_DIR = Path(__file__).parent / "assets" / "fonts"
FONT_FILES = {"normal": FONT_DIR / "Laksaman.ttf", "bold": FONT_DIR / "Laksaman-Bold.ttf"}


def register_fonts() -> None:
    """Add the vendored fonts to matplotlib's font manager (once per process)."""
    # matplotlib is imported only by the processes that draw
    from matplotlib import font_manager

    # called before every chart: compared as strings (a Path per font entry cost 1 ms a call)
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    for path in FONT_FILES.values():
        if str(path) not in known:
            font_manager.fontManager.addfont(str(path))


@functools.cache
def font_face_css() -> str:
    """``@font-face`` rules for "Workbook Thai" with the vendored fonts as ``data:`` URLs."""
    rules = []
    for weight, path in (("400", FONT_FILES["normal"]), ("700", FONT_FILES["bold"])):
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        rules.append(
            "@font-face {\n"
            f'  font-family: "{CSS_FONT_FAMILY}";\n'
            f'  src: url("data:font/ttf;base64,{data}") format("truetype");\n'
            f"  font-weight: {weight};\n"
            "  font-style: normal;\n"
            "  font-display: swap;\n"
            "}"
        )
    return "\n".join(rules) + "\n"
