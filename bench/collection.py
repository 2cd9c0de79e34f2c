"""The sample collections the benchmark reads: generated once per size and seed, then reused."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

SEED = 1


def bench_root() -> Path:
    root = Path(os.environ.get("BENCH_DIR") or Path(tempfile.gettempdir(), "policy-review-desk-bench"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def sample_folder(count: int) -> Path:
    """A folder of `count` generated, seed-sized records (made on first use; a marker says it is complete)."""
    folder = bench_root() / f"sample-{count}-seed{SEED}"
    marker = folder / ".complete"
    if not marker.exists():
        folder.mkdir(exist_ok=True)
        command = ["manage.py", "generate_sample_policies", str(folder), "--count", str(count), "--seed", str(SEED)]
        subprocess.run([sys.executable, *command, "--force"], cwd=Path(__file__).resolve().parent.parent, check=True)
        marker.touch()
    return folder


def markdown_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.suffix == ".md")
