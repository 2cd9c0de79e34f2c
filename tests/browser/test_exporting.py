import io
import zipfile

import pytest

from policies.transfer.exporting import export_to_zip
from tests.browser.pages import expect, log_in
from tests.data import EXAMPLES
from tests.factories import approve

pytestmark = pytest.mark.browser

VERIFIED = "generated/eu-ets-rules-2015.md"


def download_export(page, *, every_record: bool) -> dict[str, bytes]:
    page.goto("/admin/policies/policy/")
    page.get_by_role("link", name="Export zip").click()
    page.locator("#id_all_records").set_checked(every_record)
    with page.expect_download() as download_info:
        page.locator("#export-form [type=submit]").click()
    download = download_info.value
    assert download.suggested_filename.startswith("policies-") and download.suggested_filename.endswith(".zip")
    return unzipped(download.path().read_bytes())


def unzipped(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_downloaded_zip_holds_each_records_file_byte_for_byte(page, clock, collection, editor, reviewer):
    policy = collection["eu-ets-rules-2015"]
    approve(policy, reviewer)
    log_in(page, editor)

    published = download_export(page, every_record=False)

    # Only the verified record is published, as its file with the approval stamped in and nothing else changed.
    stamped = (
        (EXAMPLES / VERIFIED)
        .read_bytes()
        .replace(b"\nreviewStatus: pending\n", b"\nreviewStatus: verified\n")
        .replace(b"\n  reviewer: Human Audit Pending\n", b"\n  reviewer: Rita Reviewer\n")
        .replace(b"\n  lastAuditDate: '2025-07-28'\n", b"\n  lastAuditDate: '2026-03-02'\n")
    )
    assert published == {VERIFIED: stamped}
    assert published == unzipped(export_to_zip()[0])

    every_record = download_export(page, every_record=True)

    originals = {path.relative_to(EXAMPLES).as_posix(): path.read_bytes() for path in EXAMPLES.rglob("*.md")}
    assert len(every_record) == len(collection) == len(originals)
    assert every_record == {**originals, VERIFIED: stamped}
    assert every_record == unzipped(export_to_zip(all_records=True)[0])
    expect(page.locator("#export-form")).to_be_visible()
