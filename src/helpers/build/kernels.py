"""Jupyter kernels for the runner: on local IPC sockets, and forked from a warm process.

A kernel started the usual way is a new Python process that imports ipykernel; the notebook then
imports pandas, matplotlib, statsmodels and the helpers: about a second of CPU per notebook
before any work, which is a third of an agency report. ``workbook run`` therefore starts one
*kernel server* (``python -m helpers.build.kernels``) that imports all of that once and forks a
fresh
process for every kernel. Each kernel is still a process of its own, started from the same state
(nothing passes from one notebook to the next), running the same ``ipykernel_launcher`` the
kernelspec names; reports are byte-identical to those of a normally started kernel (tested).

The server is used only when the kernelspec's command is ``<python> -m ipykernel_launcher ...``
(the project's kernel); any other kernel, or ``runner.fork_kernels: false`` in
``config/pipeline.yaml``, starts the usual way. A kernel server that cannot be reached is not an
error either: the kernel starts the usual way. Linux and macOS only (it forks).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SERVER_ENV = "HRD_KERNEL_SERVER"  # the server's socket path, inherited by the pool's workers
LAUNCHER = ["-m", "ipykernel_launcher"]
# What the notebooks import, loaded once in the server (a module missing here is skipped); the
# project adds its own modules and calls (``runner.kernel_preload`` in pipeline.yaml).
PRELOAD = (
    "numpy",
    "pandas",
    "pandas.core.arrays.arrow.extension_types",
    "pandas.core.reshape.reshape",
    "pandas.io.formats.csvs",
    "pandas.io.formats.string",
    "pandas.io.parquet",
    "pyarrow",
    "pyarrow.dataset",
    "pyarrow.pandas_compat",
    "pyarrow.parquet",
    "pandera.pandas",
    "pandera.backends.pandas.register",
    "pandera.accessors.pandas_accessor",
    "pandera.strategies",  # imports hypothesis where it is installed
    "encodings.cp874",
    "encodings.cp437",
    "yaml",
    "python_calamine",
    "scipy.special",
    "scipy.stats",
    "statsmodels.api",
    "statsmodels.regression.mixed_linear_model",
    "statsmodels.miscmodels.ordinal_model",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.pyplot",
    "matplotlib.backends.backend_svg",
    "seaborn",  # the model notebooks draw their diagnostics with it
    "IPython",
    "IPython.core.pylabtools",
    "IPython.display",
    "matplotlib_inline.backend_inline",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
)
CONNECT_SECONDS = 10.0  # the server binds its socket as it starts
READY_SECONDS = 120.0  # then imports for ~3 s before it answers; a client waits at most this
_unreachable: set[str] = set()  # servers that failed once in this process are not asked again


# ---------------------------------------------------------------------------------------------
# The server (runs as ``python -m helpers.build.kernels <socket path>``)


def _preload(extra: list[str]) -> None:
    """Import :data:`PRELOAD` and ``extra``; an ``extra`` entry ``module:function`` is called."""
    # ipykernel sets this in every kernel it starts; matplotlib reads it once, at import
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for name in [*PRELOAD, *extra]:
        module, _, function = name.partition(":")
        with contextlib.suppress(Exception):
            imported = importlib.import_module(module)
            if function:
                getattr(imported, function)()


def _become_kernel(request: dict[str, Any], closing: list[socket.socket]) -> None:
    """In the forked child: become ``python -m ipykernel_launcher <args>``. Never returns."""
    code = 1
    try:
        for sock in closing:
            sock.close()
        os.setsid()  # its own process group, as jupyter_client gives a kernel
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # the kernel exits when the server does (ipykernel read JPY_PARENT_PID at import)
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
        args = [*request["args"], f"--IPKernelApp.parent_handle={os.getppid()}"]
        sys.argv = [sys.executable, *args]  # as ipykernel_launcher sees them
        sys.path[0] = request["cwd"]  # as `python -m` sets it in a kernel started in cwd
        _fresh_state()
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # report anything, then leave without the server's code
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _fresh_state() -> None:
    """What a fork shares that a new process would not: open font files (read lazily through one
    shared file offset) and numpy's global random state."""
    if "matplotlib.font_manager" in sys.modules:
        sys.modules["matplotlib.font_manager"]._get_font.cache_clear()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()


def serve(address: str, preload: list[str] = ()) -> None:
    """Bind ``address``, import, then fork one kernel per request until the parent goes."""
    parent = os.getppid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(64)
    _preload(list(preload))
    # Every kernel forked from here inherits ~640,000 imported objects. Left in the collector's
    # generations, each kernel's first full collections walk them all (touching, and so copying,
    # the shared pages): 0.4 s of a report's 1.5 s of CPU, measured. Frozen, they are never
    # walked; they live as long as the process anyway (modules, dictionaries, fonts).
    gc.freeze()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped automatically
    listener.settimeout(1.0)
    try:
        while os.getppid() == parent:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(10.0)
                try:
                    request = json.loads(_read_line(conn))
                    pid = os.fork()
                    if pid == 0:
                        _become_kernel(request, [listener, conn])
                    reply = {"pid": pid}
                except Exception as exc:  # the client starts the kernel the usual way
                    reply = {"error": f"{exc.__class__.__name__}: {exc}"}
                with contextlib.suppress(OSError):
                    conn.sendall(json.dumps(reply).encode() + b"\n")
    finally:
        listener.close()
        with contextlib.suppress(OSError):
            os.unlink(address)


def _read_line(conn: socket.socket) -> bytes:
    chunks = []
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
        if chunk.endswith(b"\n"):
            break
    return b"".join(chunks)


# ---------------------------------------------------------------------------------------------
# The client side: starting and stopping the server, asking it for a kernel


def split_command(kernel_argv: list[str]) -> tuple[list[str], list[str]] | None:
    """``(interpreter, kernel arguments)`` of a kernelspec command of the form ``<python>
    [interpreter options] -m ipykernel_launcher <arguments>``; None for any other command."""
    argv = list(kernel_argv)
    for i in range(1, len(argv) - 1):
        if argv[i : i + 2] == LAUNCHER:
            options = argv[1:i]
            if all(o.startswith("-") and o != "-c" for o in options):
                return argv[:i], argv[i + 2 :]
            return None
    return None


@contextlib.contextmanager
def kernel_server(
    interpreter: list[str] | None, cwd: Path, preload: list[str] = ()
) -> Iterator[str | None]:
    """Run a kernel server for the duration of the block; its address is in ``SERVER_ENV``
    for this process and the workers it starts. ``interpreter`` (the python and its options
    from the kernelspec, see :func:`split_command`) None: no server."""
    if not interpreter or not hasattr(os, "fork"):
        yield None
        return
    # in a folder only this user can enter: whoever can connect can start code as this user
    folder = tempfile.mkdtemp(prefix="hrd-kernels-")
    address = os.path.join(folder, "server.sock")
    process = subprocess.Popen(
        [*interpreter, "-m", "helpers.build.kernels", address, *preload],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
    )
    before = os.environ.get(SERVER_ENV)
    os.environ[SERVER_ENV] = address
    try:
        yield address
    finally:
        if before is None:
            os.environ.pop(SERVER_ENV, None)
        else:
            os.environ[SERVER_ENV] = before
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def request_kernel(address: str, args: list[str], env: dict[str, str], cwd: str) -> int:
    """Ask the server at ``address`` to fork a kernel; its process id. Raises OSError when the
    server cannot be reached or refuses (and it is not asked again by this process)."""
    if address in _unreachable:
        raise OSError(f"kernel server {address} failed earlier")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            deadline = time.monotonic() + CONNECT_SECONDS
            while True:  # the socket file appears a moment after the server starts
                try:
                    sock.connect(address)
                    break
                except (FileNotFoundError, ConnectionRefusedError):
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            sock.settimeout(READY_SECONDS)
            sock.sendall(json.dumps({"args": args, "env": env, "cwd": cwd}).encode() + b"\n")
            reply = json.loads(_read_line(sock) or b"{}")
        if "pid" not in reply:
            raise OSError(f"kernel server: {reply.get('error', 'no reply')}")
    except (OSError, ValueError):
        _unreachable.add(address)
        raise
    return int(reply["pid"])


class ForkedKernel:
    """The few ``subprocess.Popen`` methods jupyter_client uses, for a kernel this process did
    not start itself (so cannot wait for): its end is seen through a pidfd, or by signal 0."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._signal: int | None = None
        self._fd: int | None = None
        with contextlib.suppress(AttributeError, OSError):
            self._fd = os.pidfd_open(pid)

    def _gone(self) -> bool:
        if self._fd is not None:
            import select

            return bool(select.select([self._fd], [], [], 0)[0])
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def poll(self) -> int | None:
        if self.returncode is None and self._gone():
            self.returncode = -self._signal if self._signal else 1
            self._close()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("kernel", timeout or 0)
            time.sleep(0.02)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            self._signal = signum if signum in (signal.SIGKILL, signal.SIGTERM) else self._signal
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._close()


def _forking_provisioner() -> type:
    from jupyter_client.provisioning import LocalProvisioner

    class ForkingProvisioner(LocalProvisioner):
        """A local provisioner that asks the kernel server for the process when it can."""

        async def launch_kernel(self, cmd: list[str], **kwargs: Any):
            address = os.environ.get(SERVER_ENV)
            split = split_command(cmd) if address else None
            if split is not None:
                cwd = str(kwargs.get("cwd") or os.getcwd())
                env = dict(kwargs.get("env") or os.environ)
                try:
                    pid = request_kernel(address, split[1], env, cwd)
                except (OSError, ValueError):
                    pass  # start it the usual way
                else:
                    self.process = ForkedKernel(pid)
                    self.pid = self.pgid = pid
                    self.cwd = cwd
                    return self.connection_info
            return await super().launch_kernel(cmd, **kwargs)

    return ForkingProvisioner


@functools.cache
def kernel_manager_class() -> type:
    """A kernel manager on local IPC sockets (no TCP ports: parallel kernels cannot collide,
    papermill issue 511, and no unencrypted-TCP warning in the log) whose kernels come from the
    kernel server when one runs."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    provisioner = _forking_provisioner()

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self) -> str:
            return "ipc"

        @default("ip")
        def _default_ip(self) -> str:
            # jupyter_client's default is "kernel-ipc" in the working directory, with socket
            # numbers picked by checking which files exist: parallel runs in one folder race
            # for the same sockets. A unique prefix per kernel cannot collide.
            return os.path.join(tempfile.gettempdir(), f"hrd-{uuid.uuid4().hex[:16]}-ipc")

        async def _async_pre_start_kernel(self, **kw: Any):
            if self.provisioner is None and os.environ.get(SERVER_ENV):
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = provisioner(
                    kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
                )
            return await super()._async_pre_start_kernel(**kw)

    return IPCKernelManager


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])
