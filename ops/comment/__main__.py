"""Render the pull request's preview comment from saved previews, one `--stack NAME=FILE` per stack.

    python -m ops.comment --stack dev=dev.jsonl [--stack prod=prod.jsonl ...] [--log dev=dev.stderr] [--output FILE]

Each FILE is what `PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1 pulumi preview --json ...` wrote to stdout; a --log is
what it wrote to stderr (its error lines are quoted: an engine that fails before it starts streams nothing).

Exit status: 0 when every preview succeeded; 1 when a preview failed or a mandatory policy was violated (the
comment is written first); 2 when no comment can be made (bad arguments, an unreadable file, or a file that is not
an engine event stream).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ops.comment.events import StreamError, parse
from ops.comment.preview import StackPreview, build
from ops.comment.render import render

OK, FAILED, UNUSABLE = 0, 1, 2


def named_path(text: str) -> tuple[str, Path]:
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f"expected NAME=FILE, got {text!r}")
    return name, Path(path)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.comment", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--stack",
        dest="stacks",
        action="append",
        type=named_path,
        required=True,
        metavar="NAME=FILE",
        help="a stack and its preview's event stream (repeat for each stack, in the order to show)",
    )
    parser.add_argument(
        "--log", dest="logs", action="append", type=named_path, default=[], metavar="NAME=FILE", help="its stderr"
    )
    parser.add_argument("--output", type=Path, help="write the comment here (default: stdout)")
    return parser.parse_args(argv)


def error_lines(log: Path) -> list[str]:
    lines = log.read_text(errors="replace").splitlines()
    return [line.removeprefix("error:").strip() for line in lines if line.startswith("error:")]


def load(name: str, events: Path, log: Path | None) -> StackPreview:
    with events.open(errors="replace") as stream:
        parsed = parse(stream)
    return build(name, parsed, error_lines(log) if log else ())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = [name for name, _ in args.stacks]
    logs = dict(args.logs)
    problems = [f"--stack {n} is given twice" for n in sorted(set(names)) if names.count(n) > 1]
    problems += [f"--log {n} names no --stack" for n in logs if n not in names]
    if problems:
        print(f"ops.comment: {'; '.join(problems)}", file=sys.stderr)
        return UNUSABLE
    stacks: list[StackPreview] = []
    for name, path in args.stacks:
        try:
            stacks.append(load(name, path, logs.get(name)))
        except (OSError, StreamError) as error:
            print(f"ops.comment: {path}: {error}", file=sys.stderr)
            return UNUSABLE
    comment = render(stacks)
    if args.output:
        args.output.write_text(comment)
    else:
        sys.stdout.write(comment)
    return FAILED if any(s.failed or s.mandatory for s in stacks) else OK


if __name__ == "__main__":
    sys.exit(main())
