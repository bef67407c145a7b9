"""pyproject.toml is the one dependency list; environment.yml must repeat it exactly."""

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


# pip extras that conda ships as packages of their own
CONDA_EXTRAS = {"dask[distributed]": ["dask", "distributed"]}


def _split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", requirement.strip()).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def _conda_names(requirements: list[str]) -> list[str]:
    out = []
    for r in requirements:
        extra = next((e for e in CONDA_EXTRAS if r.startswith(e)), None)
        if extra:
            out += [name + r[len(extra) :] for name in CONDA_EXTRAS[extra]]
        else:
            out.append(r)
    return out


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = dict(
        _split(r)
        for r in _conda_names(project["dependencies"] + project["optional-dependencies"]["dev"])
    )
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    listed = dict(_split(d) for d in conda if _split(d)[0] not in ("python", "pip"))
    assert listed == wanted
    assert "python=3.11" in conda
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section
