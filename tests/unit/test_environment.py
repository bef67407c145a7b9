"""pyproject.toml is the one dependency list; environment.yml must repeat it exactly.

environment.yml names each package as conda-forge does. Where that differs from the PyPI name,
CONDA_FORGE_NAMES says so; a package conda-forge lacks goes under environment.yml's ``pip:``
with its PyPI name.
"""

import copy
import re
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]

# PyPI name -> conda-forge name, for the packages whose names differ. Each conda-forge package
# is the build of that PyPI distribution, installing what `pip install NAME` installs (checked
# against the conda-forge feedstock recipes). The PyPI name is a different package on conda-forge:
CONDA_FORGE_NAMES = {
    # `dask` is a metapackage adding distributed, bokeh, lz4, cytoolz, jinja2, pyarrow
    "dask": "dask-core",
    # `matplotlib` adds a Qt backend (pyside6) and tornado
    "matplotlib": "matplotlib-base",
    # `nbconvert` adds pandoc
    "nbconvert": "nbconvert-core",
    # `pandera` adds pandas and numpy (pip's pandera[pandas])
    "pandera": "pandera-base",
    # `playwright` is the Node.js package (the driver playwright-python runs)
    "playwright": "playwright-python",
    # `seaborn` adds statsmodels
    "seaborn": "seaborn-base",
}

# pip extras that conda ships as packages of their own (PyPI names; CONDA_FORGE_NAMES applies)
PIP_EXTRAS = {"dask[distributed]": ["dask", "distributed"]}


def _split(requirement: str) -> tuple[str, str]:
    """'name>=1,<2' (or conda's 'name >=1,<2') -> ('name', '>=1,<2'); the name as written."""
    name, spec = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", requirement.strip()).groups()
    return name, spec.replace(" ", "")


def _pypi_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_requirements(project: dict) -> dict[str, str]:
    """PyPI name -> version range: the dependencies and the dev extra, pip extras expanded."""
    out = {}
    for r in project["dependencies"] + project["optional-dependencies"]["dev"]:
        extra = next((e for e in PIP_EXTRAS if r.startswith(e)), None)
        if extra:
            names, spec = PIP_EXTRAS[extra], r[len(extra) :].replace(" ", "")
        else:
            name, spec = _split(r)
            names = [name]
        for name in names:
            out[_pypi_name(name)] = spec
    return out


def _environment_requirements(env: dict) -> tuple[dict[str, str], dict[str, str]]:
    """(conda-forge name -> range, PyPI name -> range under pip:), python, pip and -e . aside."""
    conda = dict(_split(d) for d in env["dependencies"] if isinstance(d, str))
    conda = {n.lower(): s for n, s in conda.items() if n.lower() not in ("python", "pip")}
    pip = {_pypi_name(n): s for n, s in map(_split, _pip_section(env)) if not n.startswith("-")}
    return conda, pip


def _pip_section(env: dict) -> list[str]:
    return next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))


def _differences(project: dict, env: dict) -> dict[str, tuple[str | None, str | None]]:
    """name -> (range pyproject.toml wants, range environment.yml has); None: not listed."""
    wanted = _pyproject_requirements(project)
    conda, pip = _environment_requirements(env)
    # listed once: by its conda-forge name, or under pip: (prefixed "pip:") by its PyPI name
    expected = {CONDA_FORGE_NAMES.get(n, n): s for n, s in wanted.items() if n not in pip}
    expected |= {f"pip:{n}": s for n, s in wanted.items() if n in pip}
    listed = conda | {f"pip:{n}": s for n, s in pip.items()}
    return {
        n: (expected.get(n), listed.get(n))
        for n in sorted(expected.keys() | listed.keys())
        if expected.get(n) != listed.get(n)
    }


def _pypi_names_used(env: dict) -> list[str]:
    conda, _ = _environment_requirements(env)
    return [f"{n} (conda-forge: {CONDA_FORGE_NAMES[n]})" for n in conda if n in CONDA_FORGE_NAMES]


@pytest.fixture(scope="module")
def project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


@pytest.fixture(scope="module")
def env() -> dict:
    return yaml.safe_load((REPO / "environment.yml").read_text())


def test_environment_yml_matches_pyproject(project, env):
    assert _differences(project, env) == {}
    names = [_split(d)[0].lower() for d in env["dependencies"] if isinstance(d, str)]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []  # one range per package
    assert "python=3.11" in env["dependencies"]
    assert "-e ." in _pip_section(env)


def test_environment_yml_uses_conda_forge_names(env):
    # on conda-forge these PyPI names are other packages (see CONDA_FORGE_NAMES)
    assert _pypi_names_used(env) == []


def _drop(deps: list, name: str) -> list:
    return [d for d in deps if not (isinstance(d, str) and _split(d)[0] == name)]


def _replace(deps: list, name: str, new: str) -> list:
    return [new if isinstance(d, str) and _split(d)[0] == name else d for d in deps]


DRIFTS = {
    "missing from environment.yml": lambda p, e: e.update(
        dependencies=_drop(e["dependencies"], "rapidfuzz")
    ),
    "renamed package missing from environment.yml": lambda p, e: e.update(
        dependencies=_drop(e["dependencies"], "playwright-python")
    ),
    "missing from pyproject.toml": lambda p, e: p.update(
        dependencies=[r for r in p["dependencies"] if not r.startswith("ftfy")]
    ),
    "range differs": lambda p, e: e.update(
        dependencies=_replace(e["dependencies"], "matplotlib-base", "matplotlib-base>=3.11,<3.13")
    ),
    "range of a pip extra differs": lambda p, e: p["optional-dependencies"].update(
        dev=[
            "dask[distributed]>=2026.8,<2026.10" if r.startswith("dask[") else r
            for r in p["optional-dependencies"]["dev"]
        ]
    ),
    "PyPI name instead of conda-forge's": lambda p, e: e.update(
        dependencies=_replace(e["dependencies"], "playwright-python", "playwright>=1.65,<1.66")
    ),
    "listed both in conda and under pip:": lambda p, e: _pip_section(e).append(
        "rapidfuzz>=3.14,<3.15"
    ),
    "under pip: but not in pyproject.toml": lambda p, e: _pip_section(e).append("nbstripout>=0.8"),
}


@pytest.mark.parametrize("drift", DRIFTS)
def test_comparison_catches(drift, project, env):
    project, env = copy.deepcopy(project), copy.deepcopy(env)
    assert _differences(project, env) == {}
    DRIFTS[drift](project, env)
    assert _differences(project, env) != {}


def test_pypi_name_check_catches_a_pypi_name(env):
    env = copy.deepcopy(env)
    env["dependencies"] = _replace(env["dependencies"], "dask-core", "dask>=2026.8,<2026.9")
    assert _pypi_names_used(env) == ["dask (conda-forge: dask-core)"]


def test_a_package_conda_forge_lacks_goes_under_pip_by_its_pypi_name(project, env):
    project, env = copy.deepcopy(project), copy.deepcopy(env)
    env["dependencies"] = _drop(env["dependencies"], "pythainlp")
    _pip_section(env).append("PyThaiNLP >=5.4,<5.5")
    assert _differences(project, env) == {}
