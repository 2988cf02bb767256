"""`python -m ops.report --stack prod [--format text|markdown|json] [--base <dir or git ref>]`.

The report is printed whenever it can be made. The exit status is `Exit`, tabled for CI in the README's
"Configuration" section.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from enum import IntEnum
from pathlib import Path

from cost.prices import PriceTableError
from ops.report.base import BaseError, base_costing
from ops.report.collect import collect
from ops.report.pack import PackConfigError, PackProcessError
from ops.report.render import RENDERERS
from settings.errors import StackConfigError
from settings.stacks import STACKS


class Exit(IntEnum):
    OK = 0
    MANDATORY_VIOLATION = 1
    # argparse exits 2 on bad arguments, so every refused input shares its code.
    INVALID_INPUT = 2
    CRASHED = 3


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.report", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True, choices=STACKS)
    parser.add_argument("--format", choices=sorted(RENDERERS), default="text")
    parser.add_argument("--base", help="another checkout (a directory) or a git ref to compare the cost with")
    parser.add_argument("--config", type=Path, help="policy pack config (default: policies/config/<stack>.json)")
    parser.add_argument(
        "--update", action="store_true", help="run the program as `pulumi up` would (default: as a preview)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        report = collect(args.stack, preview=not args.update, config_file=args.config)
        if args.base:
            report.base = base_costing(args.base, args.stack)
            report.base_label = args.base
    except StackConfigError as error:
        # The program's own refusal, word for word: every bad key with its file and line.
        print(error, file=sys.stderr)
        return Exit.INVALID_INPUT
    except (PackConfigError, PackProcessError, PriceTableError, BaseError, OSError) as error:
        print(f"ops.report: {error}", file=sys.stderr)
        return Exit.INVALID_INPUT
    except Exception:
        # Python's own exit status for an uncaught exception is 1, which CI would read as a policy violation.
        traceback.print_exc()
        print("ops.report: failed unexpectedly (a bug; traceback above)", file=sys.stderr)
        return Exit.CRASHED
    sys.stdout.write(RENDERERS[args.format](report))
    return Exit.MANDATORY_VIOLATION if report.failed else Exit.OK


if __name__ == "__main__":
    sys.exit(main())
