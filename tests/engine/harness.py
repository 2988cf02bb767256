"""Run the real Pulumi engine from tests.

`Engine.create()` builds or finds the engine (scripts/build-engine.sh), installs the stand-in provider plugins (test
doubles for random, github and docker: scripts/build-standin-plugins.sh) into a Pulumi home of the test run, and logs
that home in to a local file backend. `Engine.pulumi()` runs one CLI command with the environment the engine needs
and measures its wall time and peak memory. The one-resource program written by `write_floor_program()` is the
engine's floor: `Engine.measure_preview()` times the preview of any project so tests can report the ratio of a stack's
preview to the floor.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("CONVERGE_VENV", str(REPO / ".venv")))
ENGINE_VERSION = "v3.274.1"
# The stand-in plugins play these provider versions (they must equal the Python packages' pulumi-plugin.json).
STANDIN_PLUGINS = {"random": "4.21.4", "github": "6.15.0", "docker": "5.2.0"}
PASSPHRASE = "converge-engine-tests"  # a throwaway passphrase for throwaway test stacks


class EngineError(AssertionError):
    """A pulumi command failed; the message carries its output."""


@dataclass(frozen=True)
class Result:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_kib: int  # largest resident set of any one process in the command's tree (the engine, usually)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> object:
        return json.loads(self.stdout)


# Runs a command and writes its peak RSS (KiB) to the file named by argv[1]. Linux starts a child's ru_maxrss at its
# parent's high-water mark (carried across fork and exec), so measured straight from pytest, whose process grows past
# 150 MiB with the fakes and moto loaded, every command would report pytest's size. Started from this small interpreter
# (about 10 MiB, run with -I -S), the command's figure is its own: the largest process of its tree.
_MEASURE = """\
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    except OSError as error:
        os.write(2, f"{sys.argv[2]}: {error}\\n".encode())
    os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(str(usage.ru_maxrss))
if os.WIFSIGNALED(status):
    os.kill(os.getpid(), os.WTERMSIG(status))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(
    cmd: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float = 900, stdin: str | None = None
) -> Result:
    """Run `cmd`, returning its output, wall time and peak RSS (the largest process of its tree, from wait4)."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryFile() as inp,
        tempfile.TemporaryDirectory() as scratch,
    ):
        if stdin is not None:
            inp.write(stdin.encode())
            inp.seek(0)
        rss_file = Path(scratch) / "peak-rss-kib"
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _MEASURE, str(rss_file), *cmd],
            cwd=cwd,
            env=dict(env),
            stdin=inp,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        delay = 0.002
        while True:
            pid, status, _usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                os.killpg(proc.pid, signal.SIGKILL)
                os.wait4(proc.pid, 0)
                raise EngineError(f"timed out after {timeout}s: {' '.join(cmd)}")
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
        out.seek(0)
        err.seek(0)
        return Result(
            args=tuple(cmd),
            returncode=proc.returncode,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
            seconds=seconds,
            peak_rss_kib=int(rss_file.read_text()) if rss_file.exists() else 0,
        )


def _script(name: str, *args: str, env: Mapping[str, str]) -> str:
    """Run one of scripts/*.sh and return the last line of its stdout (the path it reports)."""
    proc = subprocess.run(
        [str(REPO / "scripts" / name), *args], env=dict(env), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise EngineError(f"scripts/{name} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout.strip().splitlines()[-1]


@dataclass
class Engine:
    bin_dir: Path
    pulumi_home: Path
    backend_dir: Path
    standin_log: Path
    history: list[Result] = field(default_factory=list)

    @classmethod
    def create(cls, workdir: Path) -> Engine:
        """Build or find the engine and prepare a Pulumi home and file backend under `workdir`."""
        base = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
        bin_dir = Path(_script("build-engine.sh", env=base))
        home = workdir / "pulumi-home"
        home.mkdir(parents=True, exist_ok=True)
        _script("build-standin-plugins.sh", str(home), env={**base, "PATH": f"{bin_dir}:{base.get('PATH', '')}"})
        backend = workdir / "backend"
        backend.mkdir(exist_ok=True)
        log = workdir / "standin-calls.jsonl"
        engine = cls(bin_dir=bin_dir, pulumi_home=home, backend_dir=backend, standin_log=log)
        engine.pulumi(["login", f"file://{backend}"], cwd=workdir)
        return engine

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "CONVERGE_STANDIN_"))}
        env.update(
            PATH=f"{self.bin_dir}:{VENV / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}",
            PULUMI_HOME=str(self.pulumi_home),
            PULUMI_SKIP_UPDATE_CHECK="true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
            PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
            PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK="true",
            CONVERGE_STANDIN_LOG=str(self.standin_log),
            NO_COLOR="1",
        )
        env.update(extra or {})
        return env

    def pulumi(
        self,
        args: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str] | None = None,
        check: bool = True,
        timeout: float = 900,
    ) -> Result:
        cmd = [str(self.bin_dir / "pulumi"), *args, "--non-interactive"]
        result = run_measured(cmd, cwd=cwd, env=self.env(env), timeout=timeout)
        self.history.append(result)
        if check and result.returncode != 0:
            raise EngineError(f"pulumi {' '.join(args)} exited {result.returncode}:\n{result.output}")
        return result

    def start(self, args: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None) -> Running:
        """Start one CLI command without waiting for it (in a session of its own), to interrupt it."""
        cmd = [str(self.bin_dir / "pulumi"), *args, "--non-interactive"]
        return Running.start(cmd, cwd=cwd, env=self.env(env))

    def standin_calls(self, op: str | None = None) -> list[dict[str, str]]:
        """The stand-in plugins' recorded non-preview operations, oldest first."""
        if not self.standin_log.exists():
            return []
        calls = [json.loads(line) for line in self.standin_log.read_text().splitlines() if line.strip()]
        return [c for c in calls if op is None or c["op"] == op]

    def init_stack(self, project_dir: Path, stack: str, *, env: Mapping[str, str] | None = None) -> None:
        existing = self.pulumi(["stack", "ls", "--json"], cwd=project_dir, env=env).json()
        names = {s["name"].split("/")[-1] for s in existing} if isinstance(existing, list) else set()
        if stack not in names:
            self.pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"], cwd=project_dir, env=env)

    def measure_preview(
        self, project_dir: Path, stack: str, *, extra_args: Sequence[str] = (), repeat: int = 1
    ) -> Result:
        """The fastest of `repeat` previews of `stack` (the first run also warms caches, so use repeat >= 2)."""
        runs = [self.pulumi(["preview", "--stack", stack, *extra_args], cwd=project_dir) for _ in range(max(repeat, 1))]
        return min(runs, key=lambda r: r.seconds)


class Running:
    """A CLI command running in the background, to be interrupted. The engine starts its plugins in process groups
    of their own, and a killed CLI leaves them to init: the command's whole tree is found instead by a marker in the
    environment every process of it inherits, as a CI runner finds a job's processes (and so is cleaned up)."""

    def __init__(self, proc: subprocess.Popen[bytes], logs: Path, marker: str, started: float) -> None:
        self.proc, self.logs, self.marker, self._started = proc, logs, marker, started

    @classmethod
    def start(cls, cmd: Sequence[str], *, cwd: Path, env: Mapping[str, str]) -> Running:
        logs = Path(tempfile.mkdtemp(prefix="pulumi-running-"))
        marker = f"CONVERGE_ENGINE_RUN={uuid.uuid4().hex}"
        name, _, value = marker.partition("=")
        # The child keeps its own copies of the descriptors: the files can be closed here.
        with (logs / "stdout").open("wb") as out, (logs / "stderr").open("wb") as err:
            proc = subprocess.Popen(
                list(cmd),
                cwd=cwd,
                env={**env, name: value},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        return cls(proc, logs, marker, time.perf_counter())

    def tree(self) -> list[int]:
        """Every live process of the command: the CLI and whatever it started, orphaned or not."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                environ = (entry / "environ").read_bytes().split(b"\0")
            except OSError:  # gone meanwhile, or not ours
                continue
            if self.marker.encode() in environ:
                found.append(int(entry.name))
        return found

    def interrupt(self, sig: signal.Signals, *, tree: bool) -> None:
        """Send `sig` to the CLI alone (as Ctrl-C to it, or a runner's SIGINT) or to every process of its tree."""
        if not tree:
            self.proc.send_signal(sig)
            return
        for pid in self.tree():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    def wait(self, timeout: float) -> Result:
        """The command's result once the CLI ended; after `timeout` seconds its tree is killed and the wait fails."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill_tree()
            raise EngineError(f"still running after {timeout}s: {' '.join(map(str, self.proc.args))}") from None
        seconds = time.perf_counter() - self._started
        stdout, stderr = ((self.logs / name).read_text(errors="replace") for name in ("stdout", "stderr"))
        shutil.rmtree(self.logs, ignore_errors=True)
        return Result(
            args=tuple(map(str, self.proc.args)),
            returncode=self.proc.returncode,
            stdout=stdout,
            stderr=stderr,
            seconds=seconds,
            peak_rss_kib=0,  # not measured: nothing reports it for a killed tree
        )

    def kill_tree(self, timeout: float = 10) -> list[int]:
        """Kill every process left of the command (the plugins a killed CLI orphaned included); returns those it
        found alive."""
        left = self.tree()
        deadline = time.monotonic() + timeout
        remaining = left
        while remaining:
            for pid in remaining:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=0.1)
            if time.monotonic() > deadline:
                raise EngineError(f"processes {remaining} of {self.proc.args[0]} outlived SIGKILL for {timeout}s")
            remaining = self.tree()
        return left


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll `condition` until it holds; fail after `timeout` seconds, naming `what` was awaited."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


def write_floor_program(directory: Path, *, dynamic: bool = False, length: int = 16) -> Path:
    """A Pulumi Python project with one random.RandomBytes (the engine's floor) and, if `dynamic`, one dynamic
    provider resource, run with the repo's virtualenv."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text(
        textwrap.dedent(f"""\
            name: engine-floor
            description: One-resource program, the engine's floor (tests/engine).
            runtime:
              name: python
              options:
                toolchain: pip
                virtualenv: {VENV}
            """)
    )
    program = [
        "import pulumi",
        "import pulumi_random as random",
        "",
        f"key = random.RandomBytes('floor', length={length})",
        "pulumi.export('hex', key.hex)",
    ]
    if dynamic:
        program += [
            "",
            "from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider",
            "",
            "",
            "class CounterProvider(ResourceProvider):",
            "    def create(self, props):",
            "        return CreateResult(id_='counter-' + props['label'], outs={**props, 'size': len(props['label'])})",
            "",
            "    def diff(self, _id, olds, news):",
            "        return DiffResult(changes=olds.get('label') != news.get('label'), replaces=['label'])",
            "",
            "    def read(self, id_, props):",
            "        return ReadResult(id_=id_, outs=props)",
            "",
            "    def delete(self, _id, _props):",
            "        pass",
            "",
            "",
            "class Counter(Resource):",
            "    size: pulumi.Output[int]",
            "",
            "    def __init__(self, name, label):",
            "        super().__init__(CounterProvider(), name, {'label': label, 'size': None})",
            "",
            "",
            "counter = Counter('counter', 'engine-floor')",
            "pulumi.export('size', counter.size)",
        ]
    (directory / "__main__.py").write_text("\n".join(program) + "\n")
    return directory


def write_policy_pack(directory: Path) -> Path:
    """A one-policy Python pack: RandomBytes must be at least `minLength` bytes (configurable, default 32)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "PulumiPolicy.yaml").write_text(
        textwrap.dedent(f"""\
            description: One-policy pack proving the Python analyzer path (tests/engine).
            runtime:
              name: python
              options:
                toolchain: pip
                virtualenv: {VENV}
            """)
    )
    (directory / "__main__.py").write_text(
        textwrap.dedent("""\
            from pulumi_policy import EnforcementLevel, PolicyConfigSchema, PolicyPack, ResourceValidationPolicy


            def min_length(args, report_violation):
                if args.resource_type != "random:index/randomBytes:RandomBytes":
                    return
                minimum = args.get_config().get("minLength", 32)
                length = int(args.props["length"])
                if length < minimum:
                    report_violation(f"RandomBytes {args.name} has {length} bytes, fewer than {minimum}")


            PolicyPack(
                name="engine-floor-policy",
                enforcement_level=EnforcementLevel.MANDATORY,
                policies=[
                    ResourceValidationPolicy(
                        name="random-bytes-min-length",
                        description="Random keys are long enough.",
                        validate=min_length,
                        config_schema=PolicyConfigSchema(properties={"minLength": {"type": "integer"}}),
                    )
                ],
            )
            """)
    )
    return directory
