"""The docs' code runs: every ```python and ```bash block of the site's pages (docs/*.md and
docs/tutorials/*.md), in order, page by page, with the budgets written on the page.

The rules a page's author follows:

* Every python and bash block runs. A block that must not (it installs from the network, or
  trains for minutes) carries `<!-- skip: why -->` on the line above it, and the reason is
  required. Other languages (`text`, `toml`, `console`) are never run.
* A block with `title="path"` (shown by the theme as a file name), in any language, is that
  file's content: it is written to `path`, relative to the page's folder, and not run.
* A page runs in a fresh temporary folder; bash blocks run with `bash -euo pipefail`, python
  blocks in a fresh interpreter each, so a block sees the files earlier blocks wrote and the
  packages they installed, and nothing else of theirs.
* `pip`, `python`, `arcade` and `pytest` are those of a throwaway overlay venv that sees the
  project's venv behind it, so a tutorial's `pip install -e` never changes the project's venv.

The game pages (docs/games/) and the API reference hold no runnable tutorials and are not run.
`make docs-test` builds the site itself with `mkdocs build --strict`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted([*DOCS.glob("*.md"), *DOCS.glob("tutorials/*.md")])
RUN = ("python", "bash")
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+)(?P<lang>[\w-]*)(?P<info>[^\n]*)$")
TITLE = re.compile(r'title="(?P<path>[^"]+)"')
SKIP = re.compile(r"^\s*<!--\s*skip:(?P<why>.*?)-->\s*$")
PAGE_TIMEOUT = 600  # seconds; each page's budget is far below it (see the page's own numbers)


@dataclass(frozen=True)
class Block:
    lang: str
    code: str
    line: int  # 1-based line of the opening fence
    skip: str | None  # the reason given, for a skipped block
    title: str | None = None  # `title="path"`: the block is that file's content, written there


def blocks(text: str) -> list[Block]:
    """The fenced blocks of a markdown page, with the skip reason written above each."""
    lines = text.splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence = len(m["indent"]), m["fence"]
        prev = next((ln for ln in reversed(lines[:i]) if ln.strip()), "")
        skip = SKIP.match(prev)
        body: list[str] = []
        j = i + 1
        while j < len(lines) and lines[j].strip() != fence:
            body.append(
                lines[j][indent:] if lines[j].startswith(" " * indent) else lines[j].lstrip()
            )
            j += 1
        title = TITLE.search(m["info"])
        why = skip["why"].strip() if skip else None
        out.append(Block(m["lang"], "\n".join(body) + "\n", i + 1, why, title and title["path"]))
        i = j + 1
    return out


def test_block_parser_reads_languages_and_skip_reasons() -> None:
    page = (
        "text\n\n<!-- skip: slow -->\n```bash\nsleep 1\n```\n\n```python\nif x:\n    x = 1\n```\n"
        '```text\n$ a\n```\n```python title="pkg/m.py"\ny = 2\n```\n'
    )
    got = blocks(page)
    assert [(b.lang, b.code, b.skip, b.title) for b in got] == [
        ("bash", "sleep 1\n", "slow", None),
        ("python", "if x:\n    x = 1\n", None, None),
        ("text", "$ a\n", None, None),
        ("python", "y = 2\n", None, "pkg/m.py"),
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_every_skipped_block_says_why(page: Path) -> None:
    for b in blocks(page.read_text()):
        if b.skip is not None:
            assert b.skip, f"{page.name}:{b.line}: `<!-- skip: -->` needs a reason"


def overlay_venv(root: Path) -> dict[str, str]:
    """A venv whose interpreter also sees this interpreter's site-packages, with `pip`,
    `arcade` and `pytest` commands of its own; returns the environment to run blocks in."""
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(root)
    bindir = root / "bin"
    py = bindir / "python"
    purelib = subprocess.run(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    main_site = sysconfig.get_paths()["purelib"]
    Path(purelib, "_arcade_main_venv.pth").write_text(
        f"import site; site.addsitedir({main_site!r})\n"
    )
    for name, module in (("pip", "pip --disable-pip-version-check"),
                         ("arcade", "arcade_core.tools.cli"), ("pytest", "pytest")):  # fmt: skip
        shim = bindir / name
        shim.write_text(f'#!/bin/sh\nexec "{py}" -m {module} "$@"\n')
        shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ARCADE_PLUGINS")}
    env.update(
        PATH=f"{bindir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(root),
        JAX_PLATFORMS="cpu",
        MPLBACKEND="Agg",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def runnable_pages() -> list[Path]:
    return [
        p for p in PAGES if any(b.lang in RUN and b.skip is None for b in blocks(p.read_text()))
    ]


@pytest.mark.parametrize("page", runnable_pages(), ids=lambda p: str(p.relative_to(DOCS)))
def test_page_code_runs(page: Path, tmp_path: Path) -> None:
    env = overlay_venv(tmp_path / ".venv")
    work = tmp_path / "work"
    work.mkdir()
    for b in blocks(page.read_text()):
        if b.title is not None and b.skip is None:  # a file the page shows whole: written
            (work / b.title).parent.mkdir(parents=True, exist_ok=True)
            (work / b.title).write_text(b.code)
            continue
        if b.lang not in RUN or b.skip is not None:
            continue
        where = f"{page.relative_to(ROOT)}:{b.line}"
        if b.lang == "python":
            cmd = [str(tmp_path / ".venv" / "bin" / "python"), "-c", b.code]
        else:
            cmd = ["bash", "-euo", "pipefail", "-c", b.code]
        proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True,
                              timeout=PAGE_TIMEOUT)  # fmt: skip
        assert proc.returncode == 0, (
            f"the {b.lang} block at {where} failed ({proc.returncode}):\n{b.code}\n"
            f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}"
        )


def test_cli_reference_has_every_command() -> None:
    """The site's command-line page is rendered from the parsers (scripts/docs_hooks.py): each
    command and sub-command gets a heading and its `--help`."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import docs_hooks
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    md = docs_hooks.cli_reference()
    for command in ("list", "check", "new-plugin", "train", "eval", "sweep", "report"):
        assert f"## `arcade {command}`\n" in md and f"usage: arcade {command} " in md
    assert "### `arcade introspect saliency`" in md
