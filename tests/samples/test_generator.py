import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from policies.codec import frontmatter
from policies.models import ANALYSIS_DIMENSIONS, validate_policy_id
from samples.generator import SampleConflict, iter_sample_records, load_word_lists, write_sample_collection

REPO = Path(__file__).resolve().parents[2]
JS_YAML = REPO / "tests" / "js" / "node_modules" / "js-yaml"
EXAMPLES = REPO / "examples" / "policies" / "generated"
# The records of seed 7 (count 200) as JSON. Any change to the word lists or to how they are drawn changes it: if
# the change is meant, pin the new digest and write examples/policies/generated again (see the test below).
SEED_7_DIGEST = "6bf6839361b4b0e4b3e24ce9d6f4d7274cf3b39008e360f346a4214890f1378d"
KEY_ORDER = [
    "id",
    "country",
    "year",
    "status",
    "category",
    "pubDate",
    "reviewStatus",
    "legalWeight",
    "sectors",
    "analysis",
    "impactAnalysis",
    "evolution",
    "implementationDetails",
    "relatedFacilities",
    "url",
    "source",
    "provenance",
    "title",
    "scope",
    "tags",
    "description",
]
NESTED_KEYS = {
    "impactAnalysis": ["economic", "technical", "environmental"],
    "evolution": ["supersedes", "clusters"],
    "implementationDetails": ["authority", "mechanism", "fundingScale"],
    "provenance": ["author", "reviewer", "lastAuditDate"],
}
DIMENSION_KEYS = ["score", "label", "evidence", "citation"]


@pytest.fixture(scope="module")
def records() -> list[tuple[dict[str, Any], str]]:
    return list(iter_sample_records(200, seed=7))


def unknown_keys(data: dict[str, Any]) -> list[str]:
    found = [key for key in data if key not in KEY_ORDER]
    for dimension, part in data["analysis"].items():
        found += [f"analysis.{dimension}.{key}" for key in part if key not in DIMENSION_KEYS]
    for parent, known in NESTED_KEYS.items():
        found += [f"{parent}.{key}" for key in data[parent] if key not in known]
    return found


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


def needs_quoting(text: str) -> bool:
    return (
        text.startswith(("- ", "#", "*", '"'))
        or ": " in text
        or text in {"yes", "no", "on", "null"}
        or text.isdigit()
        or any(ord(char) > 0xFFFF for char in text)
    )


def digest(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def test_the_same_seed_writes_identical_bytes(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_sample_collection(tmp_path / "a", 30, 5)
    write_sample_collection(tmp_path / "b", 30, 5)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")


def test_the_records_of_a_seed_stay_the_ones_pinned_here(records):
    assert hashlib.sha256(json.dumps(records, ensure_ascii=False).encode()).hexdigest() == SEED_7_DIGEST


def test_the_example_collection_is_the_first_40_records_of_seed_2026(tmp_path):
    # Written with `manage.py generate_sample_policies examples/policies/generated --count 40 --seed 2026`.
    write_sample_collection(tmp_path, 40, 2026)
    assert digest(tmp_path) == digest(EXAMPLES)


def test_the_word_lists_have_words_for_every_category_dimension_and_language():
    words = load_word_lists()
    categories = {topic.category for topic in words.topics}
    assert set(words.legal_weight) == categories
    assert {jurisdiction.lang for jurisdiction in words.jurisdictions} == set(words.phrases)
    assert {j.international for j in words.jurisdictions} == {topic.international for topic in words.topics}
    for phrases in words.phrases.values():
        assert set(phrases.mechanisms) == categories
        assert set(phrases.labels) == set(phrases.evidence) == set(ANALYSIS_DIMENSIONS)
        assert len(phrases.months) == 12


def test_a_different_seed_writes_different_records(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_sample_collection(tmp_path / "a", 30, 5)
    write_sample_collection(tmp_path / "b", 30, 6)
    assert set(digest(tmp_path / "a").values()).isdisjoint(digest(tmp_path / "b").values())


@pytest.mark.slow
def test_the_output_does_not_depend_on_the_hash_seed_of_the_process():
    script = (
        "import django, hashlib; django.setup()\n"
        "from policies.codec import frontmatter\n"
        "from samples.generator import iter_sample_records\n"
        "h = hashlib.sha256()\n"
        "for data, body in iter_sample_records(25, 3): h.update(frontmatter.render(None, data, body).encode())\n"
        "print(h.hexdigest())\n"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {"DJANGO_SETTINGS_MODULE": "config.settings", **os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        digests.add(run.stdout.strip())
    assert len(digests) == 1


def test_the_first_records_of_a_seed_do_not_depend_on_the_count():
    assert list(iter_sample_records(10, 9)) == list(iter_sample_records(40, 9))[:10]


def test_the_count_is_honoured_and_each_file_is_named_after_its_id(tmp_path):
    paths = write_sample_collection(tmp_path, 25, 1)
    assert len(paths) == 25
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    for path, (data, _body) in zip(paths, iter_sample_records(25, 1), strict=True):
        assert path.name == f"{data['id']}.md"


@pytest.mark.slow
def test_ids_are_unique_safe_file_names_even_in_a_large_run():
    ids = [data["id"] for data, _body in iter_sample_records(3000, 2)]
    assert len(set(ids)) == len(ids)
    for policy_id in ids:
        validate_policy_id(policy_id)
        assert policy_id == policy_id.lower()
        assert policy_id.split("-")[0] in {"cn", "us", "jp", "kr", "intl", "eu", "uk", "no", "ca", "au", "de", "nl"}


def test_every_file_parses_back_to_the_data_and_body_generated(tmp_path):
    paths = write_sample_collection(tmp_path, 60, 7)
    for path, (data, body) in zip(paths, iter_sample_records(60, 7), strict=True):
        text = path.read_bytes().decode("utf-8")
        assert "\r" not in text
        document = frontmatter.parse(text)
        assert document.data == data
        assert document.body == body
        assert list(document.data) == list(data)


def test_files_look_like_the_collection_written_by_js_yaml(tmp_path):
    [path] = write_sample_collection(tmp_path, 1, 11)
    text = path.read_text(encoding="utf-8")
    data, body = next(iter_sample_records(1, 11))
    assert text.startswith(f"---\nid: {data['id']}\n")
    assert f"\npubDate: '{data['pubDate']}'\n" in text
    assert f"\n  lastAuditDate: '{data['provenance']['lastAuditDate']}'\n" in text
    assert "\ndescription: |-\n  ## " in text
    assert text.endswith("\n---\n" + body)
    assert body.startswith("\n## ") and body.endswith("\n")


@pytest.mark.skipif(shutil.which("node") is None or not JS_YAML.is_dir(), reason="needs node and tests/js")
def test_files_are_byte_identical_to_what_js_yaml_dump_writes(tmp_path):
    paths = write_sample_collection(tmp_path, 40, 7)
    records = [[data, body] for data, body in iter_sample_records(40, 7)]
    script = (
        "const yaml = require(process.argv[1]);"
        "const records = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const texts = records.map(([data, body]) => '---\\n' + yaml.dump(data, {lineWidth: -1}) + '---\\n' + body);"
        "process.stdout.write(JSON.stringify(texts));"
    )
    run = subprocess.run(
        ["node", "-e", script, str(JS_YAML)], input=json.dumps(records).encode(), capture_output=True, check=True
    )
    assert [path.read_text(encoding="utf-8") for path in paths] == json.loads(run.stdout.decode("utf-8"))


def test_keys_follow_the_collection_order_not_the_alphabet(records):
    for data, _body in records:
        known = [key for key in data if key in KEY_ORDER]
        assert known == KEY_ORDER
        assert list(data["analysis"]) == list(ANALYSIS_DIMENSIONS)
        for parent, keys in NESTED_KEYS.items():
            assert [key for key in data[parent] if key in keys] == keys


def test_about_one_record_in_ten_carries_keys_the_schema_does_not_know(records):
    with_unknown = [data for data, _body in records if unknown_keys(data)]
    assert 10 <= len(with_unknown) <= 30


def test_all_five_dimensions_have_integer_scores_from_0_to_100_and_text(records):
    for data, _body in records:
        assert list(data["analysis"]) == ["market", "mrv", "statutory", "strategic", "incentive"]
        for part in data["analysis"].values():
            assert type(part["score"]) is int
            assert 0 <= part["score"] <= 100
            assert all(isinstance(part[key], str) and part[key] for key in ("label", "evidence", "citation"))


def test_related_facilities_are_0_to_1400_string_ids_sorted_as_strings(records):
    counts = []
    for data, _body in records:
        facilities = data["relatedFacilities"]
        assert all(type(facility) is str for facility in facilities)
        assert facilities == sorted(facilities)
        assert len(set(facilities)) == len(facilities)
        counts.append(len(facilities))
    assert max(counts) <= 1400
    assert min(counts) == 0
    assert sum(counts) / len(counts) > 500
    assert any("-" in facility for data, _body in records for facility in data["relatedFacilities"])


def test_records_are_about_the_size_of_the_seed_record(tmp_path):
    paths = write_sample_collection(tmp_path, 100, 4)
    sizes = [len(path.read_bytes().split(b"\n---\n", 1)[0]) for path in paths]
    assert 9_000 < sum(sizes) / len(sizes) < 17_000


def test_countries_are_written_in_chinese_and_in_english(records):
    countries = {data["country"] for data, _body in records}
    assert {"中国", "美国", "日本"} <= countries
    assert {"European Union", "United Kingdom", "Norway"} <= countries
    assert countries & {"国际", "International"}


def test_dates_years_and_review_states_are_consistent(records):
    for data, _body in records:
        published = datetime.date.fromisoformat(data["pubDate"])
        audited = datetime.date.fromisoformat(data["provenance"]["lastAuditDate"])
        assert published.year == data["year"]
        assert 2005 <= data["year"] <= 2026
        assert published <= audited
        assert data["reviewStatus"] in {"pending", "verified"}
        assert data["provenance"]["author"] == "Gemini Intelligence"
        assert data["provenance"]["reviewer"] == "Human Audit Pending"
        assert data["url"].startswith("https://")
        assert "\n\n" in data["description"] and "**" in data["description"]
    states = [data["reviewStatus"] for data, _body in records]
    assert states.count("verified") < states.count("pending")
    assert any(data["sectors"] == [] for data, _body in records)


def test_later_records_supersede_earlier_ones_and_sometimes_unknown_ids(records):
    seen: set[str] = set()
    known_hits = unknown_hits = 0
    for data, _body in records:
        for superseded in data["evolution"]["supersedes"]:
            assert superseded != data["id"]
            if superseded in seen:
                known_hits += 1
            else:
                unknown_hits += 1
        seen.add(data["id"])
    assert known_hits > 0
    assert unknown_hits > 0


def test_some_records_carry_strings_that_a_yaml_writer_must_quote(records):
    hostile = [data for data, _body in records if any(needs_quoting(s) for s in strings(data))]
    assert len(hostile) >= 5


def test_writing_the_same_seed_again_leaves_the_files_untouched(tmp_path):
    paths = write_sample_collection(tmp_path, 10, 3)
    before = {path.name: path.stat().st_ino for path in paths}
    write_sample_collection(tmp_path, 10, 3)
    assert {path.name: path.stat().st_ino for path in paths} == before


def test_a_changed_file_is_refused_and_nothing_is_written_without_force(tmp_path):
    paths = write_sample_collection(tmp_path, 5, 3)
    paths[2].write_text("edited by hand\n", encoding="utf-8")
    with pytest.raises(SampleConflict) as raised:
        write_sample_collection(tmp_path, 12, 3)
    assert raised.value.names == [paths[2].name]
    assert len(list(tmp_path.iterdir())) == 5
    assert paths[2].read_text(encoding="utf-8") == "edited by hand\n"
    write_sample_collection(tmp_path, 12, 3, force=True)
    assert paths[2].read_text(encoding="utf-8").startswith("---\nid: ")
    assert len(list(tmp_path.iterdir())) == 12


def test_files_outside_the_sample_are_never_touched(tmp_path):
    (tmp_path / "README.md").write_text("# Examples\n", encoding="utf-8")
    write_sample_collection(tmp_path, 5, 3, force=True)
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "# Examples\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
