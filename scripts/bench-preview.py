#!/usr/bin/env python3
"""Where `pulumi preview` of a stack spends its time, against the engine's floors, in one command.

    .venv/bin/python scripts/bench-preview.py prod --runs 3                 # this checkout
    .venv/bin/python scripts/bench-preview.py prod --runs 3 --base <ref>    # and <ref>, alternated, same run

Every figure is the median wall time of `--runs` previews, run alternately so that load on the machine hits
all of them alike. The floors separate the parts a stack's preview is made of:

- `floor`: one `random.RandomBytes` (engine start, language host, one provider plugin);
- `floor + dynamic`: the same plus one dynamic-provider resource, so the difference is the start-up of the
  dynamic-provider host (`pulumi-resource-pulumi-python`);
- `floor + pack`: the floor with a one-policy pack, so the difference is the start-up of the policy analyzer;
- `<stack>-shaped floor + pack`: a program of no logic registering as many components, plugin resources and
  dynamic resources as the stack, with the one-policy pack: what that many resources cost the engine and SDK
  themselves (a registration, a debug log and a stack trace each, a Check per custom resource, a Remediate
  and an Analyze per resource);
- `<stack> without pack` / `<stack> with pack`: the real program, without and with this project's pack.

Each tree is previewed from a scratch copy of its tracked files on a throwaway file backend, with stand-in
values (no real credentials) for the secrets its `Pulumi.yaml` declares. Nothing is installed: the engine comes
from scripts/build-engine.sh and the test doubles of random/github/docker from scripts/build-standin-plugins.sh
(both already set up by scripts/setup.sh), and the base tree runs with this checkout's virtualenv.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
PASSPHRASE = "converge-nps-bench"  # noqa: S105 - encrypts throwaway stacks in a temporary directory
PROJECT_NAMESPACE = "converge-nps"


def _script_output(name: str, *args: str, env: dict[str, str]) -> str:
    proc = subprocess.run([str(ROOT / "scripts" / name), *args], env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"scripts/{name} failed:\n{proc.stderr}")
    return proc.stdout.strip().splitlines()[-1]


class Engine:
    def __init__(self, workdir: Path) -> None:
        base = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
        self.bin_dir = Path(_script_output("build-engine.sh", env=base))
        home = workdir / "pulumi-home"
        path = f"{self.bin_dir}:{VENV / 'bin'}:{base.get('PATH', '/usr/bin:/bin')}"
        self.env = {
            **base,
            "PATH": path,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "NO_COLOR": "1",
        }
        if (self.bin_dir / ".converge-build-key").exists():
            # Built here: the provider plugins random/github/docker are the stand-in test doubles.
            _script_output("build-standin-plugins.sh", str(home), env={**self.env})
        self.env["PULUMI_HOME"] = str(home)

    def run(self, args: list[str], *, cwd: Path) -> float:
        """Run pulumi in `cwd` with that project's own file backend (`cwd/.bench-state`): both trees' projects are
        called `converge-nps`, so they cannot share one."""
        state = cwd / ".bench-state"
        state.mkdir(exist_ok=True)
        start = time.perf_counter()
        proc = subprocess.run(
            [str(self.bin_dir / "pulumi"), *args, "--non-interactive"],
            cwd=cwd,
            env={**self.env, "PULUMI_BACKEND_URL": f"file://{state}"},
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"pulumi {' '.join(args)} in {cwd} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
        return seconds


def _runtime(name: str) -> str:
    return textwrap.dedent(f"""\
        name: {name}
        runtime:
          name: python
          options:
            toolchain: pip
            virtualenv: {VENV}
        """)


def floor_project(directory: Path, *, dynamic: bool) -> Path:
    directory.mkdir(parents=True)
    (directory / "Pulumi.yaml").write_text(_runtime("bench-floor-dynamic" if dynamic else "bench-floor"))
    program = ["import pulumi_random as random", "random.RandomBytes('floor', length=16)"]
    if dynamic:
        program += [
            "from pulumi.dynamic import CreateResult, Resource, ResourceProvider",
            "class Provider(ResourceProvider):",
            "    def create(self, props):",
            "        return CreateResult('one', props)",
            "class Thing(Resource):",
            "    def __init__(self, name):",
            "        super().__init__(Provider(), name, {'label': name})",
            "Thing('thing')",
        ]
    (directory / "__main__.py").write_text("\n".join(program) + "\n")
    return directory


def shaped_project(directory: Path, shape: Shape) -> Path:
    """As many components, plugin resources (RandomBytes) and dynamic resources as a stack registers, and
    no other logic."""
    components, plugin, dynamic = shape
    directory.mkdir(parents=True)
    (directory / "Pulumi.yaml").write_text(_runtime("bench-floor-shaped"))
    program = [
        "import pulumi",
        "import pulumi_random as random",
        "from pulumi.dynamic import CreateResult, Resource, ResourceProvider",
        "class Provider(ResourceProvider):",
        "    def create(self, props):",
        "        return CreateResult('one', props)",
        "class Thing(Resource):",
        "    def __init__(self, name, opts):",
        "        super().__init__(Provider(), name, {'label': name}, opts)",
        "class Group(pulumi.ComponentResource):",
        "    def __init__(self, name):",
        "        super().__init__('bench:index:Group', name)",
        "        self.register_outputs({})",
        f"groups = [Group(f'group-{{i}}') for i in range({components})] or [None]",
        "def under(i):",
        "    return pulumi.ResourceOptions(parent=groups[i % len(groups)])",
        f"for i in range({plugin}):",
        "    random.RandomBytes(f'floor-{i}', length=16, opts=under(i))",
        f"for i in range({dynamic}):",
        "    Thing(f'thing-{i}', under(i))",
    ]
    (directory / "__main__.py").write_text("\n".join(program) + "\n")
    return directory


# A stack's registrations by kind: components, custom resources of provider plugins, dynamic resources.
Shape = tuple[int, int, int]
_COUNT_SHAPE = """\
import sys
from offline.program import run_stack
from ops.report.stand_ins import report_stand_ins
run = run_stack(sys.argv[1], report_stand_ins())
dynamic = sum(r.type.startswith("pulumi-python:dynamic") for r in run.custom_resources)
print(len(run.resources) - len(run.custom_resources) - 1, len(run.custom_resources) - dynamic, dynamic)
"""


def stack_shape(tree: Path, stack: str) -> Shape:
    """What `stack` registers in `tree`, from a mocked run of its program."""
    counted = subprocess.run(
        [str(VENV / "bin" / "python"), "-c", _COUNT_SHAPE, stack], cwd=tree, capture_output=True, text=True, check=True
    )
    components, plugin, dynamic = (int(n) for n in counted.stdout.split()[-3:])
    return components, plugin, dynamic


def floor_pack(directory: Path) -> Path:
    directory.mkdir(parents=True)
    (directory / "PulumiPolicy.yaml").write_text(_runtime("bench-pack").replace("name: bench-pack\n", ""))
    (directory / "__main__.py").write_text(
        textwrap.dedent("""\
            from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

            def validate(args, report_violation):
                pass

            PolicyPack(
                name="bench-pack",
                enforcement_level=EnforcementLevel.MANDATORY,
                policies=[ResourceValidationPolicy(name="noop", description="Judges nothing.", validate=validate)],
            )
            """)
    )
    return directory


def _stand_in(key: str) -> str:
    """A value that passes the settings model for a declared secret, and is no credential (older trees
    declare Sentry DSN secrets, which must be https URLs)."""
    if key.lower().endswith(("dsn", "url")):
        return "https://hooks.invalid/bench"
    return "bench-not-a-credential"


def stack_project(tree: Path, dest: Path, engine: Engine, stack: str) -> Path:
    """A scratch copy of `tree`'s tracked files with `stack` initialized and its declared secrets set."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=tree, capture_output=True, check=True).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = tree / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    (dest / ".venv").symlink_to(VENV)
    declared = yaml.safe_load((dest / "Pulumi.yaml").read_text()).get("config", {})
    secrets = [key for key, spec in declared.items() if isinstance(spec, dict) and spec.get("secret")]
    engine.run(["stack", "init", stack, "--secrets-provider", "passphrase"], cwd=dest)
    args = ["config", "set-all", "--stack", stack]
    for key in secrets:
        qualified = key if ":" in key else f"{PROJECT_NAMESPACE}:{key}"
        args += ["--secret", f"{qualified}={_stand_in(key.rsplit(':', 1)[-1])}"]
    engine.run(args, cwd=dest)
    return dest


def worktree(ref: str, dest: Path) -> Path:
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(dest), ref], cwd=ROOT, check=True)
    return dest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stack", choices=["dev", "staging", "prod"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--base", help="also measure this git ref (a temporary worktree), in the same run")
    options = parser.parse_args()
    stack = options.stack

    with tempfile.TemporaryDirectory(prefix="bench-preview-") as scratch:
        work = Path(scratch)
        engine = Engine(work)
        floor_dir = floor_project(work / "floor", dynamic=False)
        dynamic_dir = floor_project(work / "floor-dynamic", dynamic=True)
        shape = stack_shape(ROOT, stack)
        shaped_dir = shaped_project(work / "floor-shaped", shape)
        pack_dir = floor_pack(work / "floor-pack")
        for project in (floor_dir, dynamic_dir, shaped_dir):
            engine.run(["stack", "init", "bench", "--secrets-provider", "passphrase"], cwd=project)
        trees = {"this checkout": ROOT}
        if options.base:
            trees[f"base {options.base}"] = worktree(options.base, work / "base-tree")
        try:
            cases: dict[str, Callable[[], float]] = {
                "floor": lambda: engine.run(["preview", "-s", "bench"], cwd=floor_dir),
                "floor + dynamic": lambda: engine.run(["preview", "-s", "bench"], cwd=dynamic_dir),
                "floor + pack": lambda: engine.run(
                    ["preview", "-s", "bench", "--policy-pack", str(pack_dir)], cwd=floor_dir
                ),
                f"{stack}-shaped floor + pack": lambda: engine.run(
                    ["preview", "-s", "bench", "--policy-pack", str(pack_dir)], cwd=shaped_dir
                ),
            }
            for label, tree in trees.items():
                project = stack_project(tree, work / label.replace(" ", "-"), engine, stack)
                pack = ["--policy-pack", str(project / "policies")]
                pack += ["--policy-pack-config", str(project / "policies" / "config" / f"{stack}.json")]

                def plain(project: Path = project) -> float:
                    return engine.run(["preview", "-s", stack], cwd=project)

                def packed(project: Path = project, pack: list[str] = pack) -> float:
                    return engine.run(["preview", "-s", stack, *pack], cwd=project)

                cases[f"{label}: {stack} without pack"] = plain
                cases[f"{label}: {stack} with pack"] = packed
            for case in cases.values():  # warm the OS file cache and the plugins' bytecode
                case()
            samples: dict[str, list[float]] = {name: [] for name in cases}
            for _ in range(options.runs):
                for name, case in cases.items():
                    samples[name].append(case())
        finally:
            if options.base:
                subprocess.run(["git", "worktree", "remove", "--force", str(trees[f"base {options.base}"])], cwd=ROOT)

    medians = {name: statistics.median(values) for name, values in samples.items()}
    floor = medians["floor"]
    print(f"median of {options.runs} previews each, alternated; ratios against the floor ({floor:.2f}s)")
    for name, seconds in medians.items():
        print(f"{name:<40} {seconds:6.2f}s  {seconds / floor:5.2f}x")
    print(f"dynamic-provider host start-up: {medians['floor + dynamic'] - floor:+.2f}s")
    print(f"policy analyzer start-up:       {medians['floor + pack'] - floor:+.2f}s")
    shaped = medians[f"{stack}-shaped floor + pack"]
    print(
        f"{stack}-shaped floor ({shape[0]} components, {shape[1]} plugin and {shape[2]} dynamic resources of no logic,"
        f" a no-op policy): the engine's and SDK's own cost of that many resources, {shaped - floor:+.2f}s"
    )
    for label in trees:
        without, with_pack = medians[f"{label}: {stack} without pack"], medians[f"{label}: {stack} with pack"]
        program = without - medians["floor + dynamic"]
        print(f"{label}: program beyond the floors {program:+.2f}s, pack {with_pack - without:+.2f}s")
        print(f"{label}: {stack} with pack beyond the {stack}-shaped floor {with_pack - shaped:+.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
