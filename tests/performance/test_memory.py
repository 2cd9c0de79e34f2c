"""Imports and exports let go of each record when done with it, without waiting for Python's cycle collector.

A record read or stored together with its file refers to it and back; such pairs are freed only by the cycle
collector, which runs the less often the more objects a process holds. A large import or export then carried
hundreds of records' facility lists as garbage, and its peak memory grew with the collection.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from policies.models import Policy, PolicyFile
from policies.transfer.exporting import export_to_folder
from policies.transfer.importing import ImportOutcome
from samples.generator import write_sample_collection
from tests.factories import import_folder, run_import

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

RECORDS = 12


def records_in_memory() -> int:
    # type(), not isinstance(): the heap may hold dead weak proxies, which raise when asked for their class.
    return sum(type(obj) in (Policy, PolicyFile) for obj in gc.get_objects())


@contextmanager
def cycle_collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "collection"
    folder.mkdir()
    write_sample_collection(folder, RECORDS, seed=1)
    return folder


def test_an_import_of_new_records_leaves_none_behind(folder):
    with cycle_collector_off():
        before = records_in_memory()
        import_folder(folder)
        assert records_in_memory() == before
    assert Policy.objects.count() == RECORDS


def test_an_import_updating_records_leaves_none_behind(folder):
    import_folder(folder)
    for path in folder.glob("*.md"):
        path.write_text(path.read_text(encoding="utf-8") + "\nRevised.\n", encoding="utf-8")
    with cycle_collector_off():
        before = records_in_memory()
        report = run_import(folder)
        assert records_in_memory() == before
    assert report.counts[ImportOutcome.UPDATED] == RECORDS


def test_an_export_leaves_none_behind(folder, tmp_path):
    import_folder(folder)
    Policy.objects.update(title="Renamed")  # every file is rewritten and its bookkeeping saved
    with cycle_collector_off():
        before = records_in_memory()
        report = export_to_folder(tmp_path / "out", all_records=True)
        assert records_in_memory() == before
    assert len(report.results) == RECORDS
