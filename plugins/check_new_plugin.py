"""CI check of `arcade new-plugin`: a skeleton of each kind is written, is ruff clean, installs
with pip, shows up in `arcade list` / `arcade models`, and passes its own tests.

The skeletons are installed into a throwaway overlay venv — its own site-packages first, this
interpreter's behind it (through a `.pth` file) — so the check never leaves a plugin behind in
the project's venv, even when it fails half-way. Run with the project's venv:

    .venv/bin/python plugins/check_new_plugin.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tempfile
import time
import venv
from pathlib import Path

from arcade_core.tools.newplugin import names_for

SKELETONS = [("game", "SkeletonCheck", "list", "SkeletonCheckEasy"),
             ("memory", "SkeletonMemoryCheck", "models", "SkeletonMemoryCheck")]  # fmt: skip


def run(cmd: list[str | Path], cwd: Path | None = None, capture: bool = False) -> str:
    print("+", " ".join(str(c) for c in cmd), f"(in {cwd})" if cwd else "", flush=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ARCADE_PLUGINS")}
    out = subprocess.run(cmd, cwd=cwd, env=env, check=True, text=True,
                         stdout=subprocess.PIPE if capture else None)  # fmt: skip
    return out.stdout or ""


def overlay_venv(root: Path) -> Path:
    """A venv without pip whose interpreter also sees this interpreter's site-packages."""
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(root)
    py = root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                  capture=True).strip()  # fmt: skip
    main_site = sysconfig.get_paths()["purelib"]
    # `import` lines of a .pth run at start-up; addsitedir also runs the main venv's own .pth
    # files (the editable installs of pomdp-arcade and the example plugins)
    Path(purelib, "_arcade_main_venv.pth").write_text(
        f"import site; site.addsitedir({main_site!r})\n"
    )
    return py


def main() -> int:
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="arcade-new-plugin-") as tmp:
        tmp_path = Path(tmp)
        py = overlay_venv(tmp_path / "venv")
        for kind, name, listing, shows in SKELETONS:
            print(run([py, "-m", "arcade_core.tools.cli", "new-plugin", name, "--kind", kind,
                       "--dir", tmp_path], capture=True), end="")  # fmt: skip
            target = tmp_path / names_for(name, kind).dist
            run([sys.executable, "-m", "ruff", "check", "--no-cache", target])
            run([sys.executable, "-m", "ruff", "format", "--no-cache", "--check", target])
            run([py, "-m", "pip", "install", "--disable-pip-version-check", "-q", "--no-deps",
                 "-e", target])  # fmt: skip
            listed = run([py, "-m", "arcade_core.tools.cli", listing], capture=True)
            if shows not in listed:
                print(listed)
                raise SystemExit(f"{shows} is not in `arcade {listing}` after installing {target}")
            run([py, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=target)
    print(f"new-plugin skeletons OK ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
