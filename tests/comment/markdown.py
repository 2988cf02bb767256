"""Reading back the comment's Markdown tables and amounts, for tests that check arithmetic on the rendered text."""

from __future__ import annotations

from decimal import Decimal


def tables(markdown: str) -> list[list[list[str]]]:
    """Every table (header row first, alignment row dropped) as rows of cells."""
    found: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            if not all(set(c) <= set("-: ") for c in cells):
                current.append(cells)
        elif current:
            found.append(current)
            current = []
    return found


def table_after(markdown: str, heading: str) -> list[list[str]]:
    return tables(markdown[markdown.index(heading) :])[0]


def usd(cell: str) -> Decimal | None:
    """`$1,234.50`, `+$1.00`, `−$1.00`, `±$0.00`, `none` (zero), `—` (unknown); bold or not."""
    text = cell.strip("*")
    if text == "—":
        return None
    if text == "none":
        return Decimal(0)
    sign = -1 if text.startswith("−") else 1
    return sign * Decimal(text.lstrip("+−±$").replace("$", "").replace(",", ""))
