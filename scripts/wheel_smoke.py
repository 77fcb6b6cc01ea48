"""Build the wheel, install it in a fresh venv and use it the way a new user would.

Run by `make test`. Everything happens in a temporary folder outside the checkout, so
the package is used as installed, never from the source tree: codebooks, report
templates and the app's stylesheet must come with the wheel. The fresh venv sees the
dependencies already installed beside this Python through a .pth file, so nothing is
downloaded; the wheel itself is installed with --no-deps.

    python scripts/wheel_smoke.py [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

TRANSCRIPT = """\
Moderator: Välkomna. Hur samarbetar ni i dag?
Socialsekreterare (kommun): Vi träffas varannan vecka och fattar beslut tillsammans.
Handläggare (FK): Vår chef avsätter ingen tid för samverkan.
"""

# Opens the recording in the coding app, codes the first passage with its hotkey and
# checks that the coding was saved: the stylesheet, codebook and screens all load.
APP_CHECK = """\
import asyncio, sys
from pathlib import Path
from qualkit.tui.app import build_app

async def main() -> None:
    app = build_app(Path(sys.argv[1]), coder="smoke", recording="samtal", lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        screen = type(app.screen).__name__
        codings = app.project.store.codings(coder="smoke")
        await pilot.press("q")
    assert codings, f"no coding saved from the app (screen {screen})"
    print(f"app: {screen}, {len(codings)} coding(s) saved")

asyncio.run(main())
"""


def run(cmd: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    shown = " ".join(Path(str(c)).name if i == 0 else str(c) for i, c in enumerate(cmd))
    print(f"$ {shown}", flush=True)
    res = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    out = res.stdout + res.stderr
    if res.returncode != 0:
        sys.exit(f"wheel smoke test failed (exit {res.returncode}):\n{out}")
    return out


def expect(text: str, *needles: str) -> None:
    for needle in needles:
        if needle not in text:
            sys.exit(f"wheel smoke test failed: {needle!r} not in output:\n{text}")


def smoke(work: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(HF_HUB_OFFLINE="1", QUALKIT_NO_SOUND="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    # Built from a copy: setuptools leaves build/ behind, and a stale build/ in the
    # checkout would put files into the wheel that the sources no longer have.
    src = work / "src"
    shutil.copytree(REPO / "qualkit", src / "qualkit", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, src / name)
    dist = work / "dist"
    # No build isolation: the setuptools already installed builds it, offline.
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            dist,
            src,
        ],
        work,
        env,
    )
    wheel = next(dist.glob("qualkit-*.whl"))
    venv = work / "venv"
    run([sys.executable, "-m", "venv", venv], work, env)
    bin_dir = venv / "bin"
    python = bin_dir / "python"
    site = Path(
        run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], work, env
        ).strip()
    )
    # The dependencies this Python already has, after the venv's own site-packages: a plain
    # path line, so .pth files there (an editable install of the checkout) are not run.
    ours = sysconfig.get_paths()
    (site / "_qualkit_smoke_deps.pth").write_text(
        "\n".join(dict.fromkeys([ours["purelib"], ours["platlib"]])) + "\n", encoding="utf-8"
    )
    run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel], work, env)

    where = run([python, "-c", "import qualkit; print(qualkit.__file__)"], work, env).strip()
    if not Path(where).is_relative_to(venv):
        sys.exit(f"wheel smoke test failed: qualkit was imported from {where}, not the wheel")

    qualkit = bin_dir / "qualkit"
    out = run([qualkit, "init", "projekt"], work, env)
    expect(out.replace("\n", " "), "danermark", "sjalvvardering")
    project = work / "projekt"
    (work / "samtal.txt").write_text(TRANSCRIPT, encoding="utf-8")
    p = ["-p", "projekt"]
    run(
        [qualkit, "import", *p, "--kommun", "Norrby", "--date", "2026-01-15", "samtal.txt"],
        work,
        env,
    )
    run([qualkit, "code", *p, "samtal:2", "forum_beslut", "--valence", "främjande"], work, env)
    expect(run([qualkit, "status", *p], work, env), "samtal")
    run([qualkit, "report", "kommun", *p, "-k", "Norrby", "-f", "md", "html", "docx"], work, env)
    for suffix in (".md", ".html", ".docx"):
        if not list((project / "exports").rglob(f"*{suffix}")):
            sys.exit(f"wheel smoke test failed: no {suffix} report in {project / 'exports'}")
    (work / "app_check.py").write_text(APP_CHECK, encoding="utf-8")
    print(run([python, "app_check.py", "projekt"], work, env).strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="qualkit-wheel-"))
    try:
        smoke(work)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("wheel smoke test passed")


if __name__ == "__main__":
    main()
