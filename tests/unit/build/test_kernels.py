"""Kernels forked from the warm kernel server (helpers.build.kernels)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from helpers.build import kernels, runner
from helpers.core import config
from helpers.reports.tables import report_agencies
from tests.conftest import rebuild_reports

PROJECT_KERNEL = [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{c}"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (PROJECT_KERNEL, (PROJECT_KERNEL[:2], ["-f", "{c}"])),
        (
            ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "x"],
            (["/usr/bin/python3"], ["-f", "x"]),
        ),
        (["python", "-m", "ipykernel_launcher"], (["python"], [])),
        (["python", "-c", "import x", "-m", "ipykernel_launcher"], None),  # not a plain launch
        (["/opt/conda/bin/R", "--slave", "-e", "IRkernel::main()", "{c}"], None),
        (["python", "-m", "ipykernel", "-f", "x"], None),  # another entry point: usual start
        ([], None),
    ],
)
def test_only_a_plain_ipykernel_launch_is_forked(argv, expected):
    assert kernels.split_command(argv) == expected


def test_each_kernel_gets_its_own_ipc_socket_prefix():
    """jupyter_client's default "kernel-ipc" in the working folder lets parallel runs race
    for the same socket files (seen: 'Kernel didn't respond in 60 seconds')."""
    manager = kernels.kernel_manager_class()
    first, second = manager(kernel_name="python3"), manager(kernel_name="python3")
    assert first.transport == "ipc"
    assert first.ip != second.ip and first.ip.startswith("/")


def test_forked_kernel_process_is_seen_to_end():
    process = subprocess.Popen(["sleep", "60"])
    kernel = kernels.ForkedKernel(process.pid)
    assert kernel.poll() is None
    kernel.kill()
    assert kernel.wait(timeout=10) == -signal.SIGKILL
    process.wait()
    assert kernel.poll() == -signal.SIGKILL


def _run(cells: list[str], cwd: Path) -> list[str]:
    """Execute code cells in a kernel from this process's kernel manager; their stdout."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(
        nb,
        kernel_name=runner.kernel_name(),
        kernel_manager_class=kernels.kernel_manager_class(),
        resources={"metadata": {"path": str(cwd)}},
        timeout=60,
    ).execute()
    return ["".join(o.get("text", "") for o in c.outputs).strip() for c in nb.cells]


@pytest.mark.slow
def test_kernels_are_forked_warm_and_fresh_each_time(tmp_path, monkeypatch):
    probe = (
        "import os, sys; print(os.getppid(), 'pandas' in sys.modules, os.getcwd(), "
        "os.environ.get('HRD_PROBE'))"
    )
    monkeypatch.setenv("HRD_PROBE", "from the runner")
    interpreter = kernels.split_command([sys.executable, "-m", "ipykernel_launcher"])[0]
    with kernels.kernel_server(interpreter, tmp_path) as address:
        assert Path(address).parent.stat().st_mode & 0o077 == 0  # only this user may connect
        server_pid = _server_pid(address)
        first = _run([probe, "import numpy; numpy.LEAKED = 1; print('set')"], tmp_path)
        second = _run([probe, "import numpy; print(hasattr(numpy, 'LEAKED'))"], tmp_path)
        frozen = _run(["import gc; print(gc.get_freeze_count())"], tmp_path)
    for output in (first[0], second[0]):
        parent, preloaded, cwd, value = output.split(" ", 3)
        assert int(parent) == server_pid  # forked by the server...
        assert preloaded == "True"  # ...which had imported pandas already
        assert cwd == str(tmp_path) and value == "from the runner"
    assert second[1] == "False"  # nothing passes from one kernel to the next
    # the server's imports come frozen: the kernel's collector never walks them
    assert int(frozen[0]) > 100_000
    assert not Path(address).parent.exists()  # the server is gone with its socket


def _server_pid(address: str) -> int:
    import psutil

    me = psutil.Process()
    for child in me.children():
        if address in child.cmdline():
            return child.pid
    raise AssertionError("no kernel server process")


@pytest.mark.slow
def test_an_unreachable_server_means_a_usual_kernel(tmp_path, monkeypatch):
    monkeypatch.setenv(kernels.SERVER_ENV, str(tmp_path / "no-server.sock"))
    monkeypatch.setattr(kernels, "CONNECT_SECONDS", 0.2)
    (parent,) = _run(["import os; print(os.getppid())"], tmp_path)
    assert int(parent) == os.getpid()  # started by this process's kernel manager


@pytest.mark.slow
def test_forked_and_new_process_kernels_give_identical_reports(built, tmp_path):
    """The e2e project is built with forked kernels; the same reports from kernels started as
    new processes are byte-identical."""
    root = tmp_path / "project"
    shutil.copytree(built, root, symlinks=True)
    settings = yaml.safe_load((root / "config/pipeline.yaml").read_text(encoding="utf-8"))
    assert settings["runner"]["fork_kernels"] is True
    settings["runner"]["fork_kernels"] = False
    (root / "config/pipeline.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    config.clear_cache()
    agency = report_agencies(2565, built)[0]
    result = rebuild_reports(root, agency, 2565)
    assert result.ok and len(result.built) == 2
    for page in (f"reports/2565/{agency}.html", "reports/2565/overview.html"):
        assert (root / page).read_bytes() == (built / page).read_bytes(), page
