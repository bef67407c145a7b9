"""The project root, found without reading any configuration (so that the configuration can be
found from it): the folder that holds ``config/pipeline.yaml``, or ``HRD_WORKBOOK_ROOT``."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The folder holding ``pyproject.toml`` and ``config/``.

    ``HRD_WORKBOOK_ROOT`` overrides it (tests point it at a temporary copy).
    """
    override = os.environ.get("HRD_WORKBOOK_ROOT")
    if override:
        return Path(override).resolve()
    for candidate in (_PACKAGE_DIR, *_PACKAGE_DIR.parents):
        if (candidate / "config" / "pipeline.yaml").is_file():
            return candidate
    raise FileNotFoundError(
        f"Cannot find the project root (a folder with config/pipeline.yaml) above {_PACKAGE_DIR}; "
        "set HRD_WORKBOOK_ROOT to the project folder."
    )


def config_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "config"


def resolve(relative: str | Path, root: Path | None = None) -> Path:
    """A path from the configuration, made absolute against the project root."""
    path = Path(relative)
    return path if path.is_absolute() else (root or project_root()) / path
