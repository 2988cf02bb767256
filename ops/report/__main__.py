"""`python -m ops.report --stack prod [--format text|markdown|json] [--base <dir or git ref>]`.

Exit status: 0 when no mandatory policy is violated, 1 when one is, 2 when the report cannot be made
(invalid config, the program or the base failing). The report is printed in every case it can be made.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cost.prices import PriceTableError
from ops.report.base import BaseError, base_costing
from ops.report.collect import collect
from ops.report.pack import PackConfigError, PackProcessError
from ops.report.render import RENDERERS
from settings.stacks import STACKS


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
    except (PackConfigError, PackProcessError, PriceTableError, BaseError, OSError) as error:
        print(f"ops.report: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(RENDERERS[args.format](report))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
