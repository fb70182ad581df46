"""Write a benchmark's results into its section of BENCHMARKS.md (standard library only, so
the reference's virtual env can import this file too)."""

from __future__ import annotations

import re
from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"


def replace_section(section: str, text: str, path: Path = BENCHMARKS_MD) -> None:
    """Replace the `section` heading's block (up to the next `## ` heading) with `text`, or
    append the section when the file has none."""
    doc = path.read_text()
    pattern = re.compile(rf"^{re.escape(section)}\n.*?(?=^## |\Z)", re.S | re.M)
    block = f"{section}\n\n{text.strip()}\n\n"
    doc = (
        pattern.sub(lambda _: block, doc) if pattern.search(doc) else doc.rstrip() + "\n\n" + block
    )
    path.write_text(doc)
