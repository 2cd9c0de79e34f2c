"""The floors: what reading and writing the same frontmatter costs with libyaml alone, without the app."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

import yaml


def _frontmatter(text: str) -> str:
    end = text.find("\n---", 4)
    return text[4 : end + 1]


def parse_seconds(files: Iterable[Path]) -> float:
    """Read each file and parse its frontmatter with libyaml (yaml.load with CSafeLoader)."""
    started = time.perf_counter()
    for path in files:
        yaml.load(_frontmatter(path.read_bytes().decode("utf-8")), Loader=yaml.CSafeLoader)
    return time.perf_counter() - started


def dump_seconds(files: Iterable[Path]) -> float:
    """Dump each file's frontmatter data with libyaml's emitter (yaml.dump with CSafeDumper); only the dump is timed."""
    total = 0.0
    for path in files:
        data = yaml.load(_frontmatter(path.read_bytes().decode("utf-8")), Loader=yaml.CSafeLoader)
        started = time.perf_counter()
        yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=2**31 - 1)
        total += time.perf_counter() - started
    return total
