import datetime

import pytest

from policies.codec import frontmatter
from policies.records import (
    CONTENT_FIELDS,
    RecordError,
    content_hash,
    data_from_values,
    problems,
    schema_keys,
    values_from_data,
)


def _read(text: str) -> tuple[frontmatter.Document, dict]:
    document = frontmatter.parse(text)
    return document, values_from_data(document.data, document.body)


def _refused(data: dict) -> dict[str, str]:
    with pytest.raises(RecordError) as caught:
        values_from_data(data, "")
    return {problem.field: problem.message for problem in caught.value.problems}


def _problems(data: dict) -> dict[str, str]:
    return {problem.field: problem.message for problem in problems(values_from_data(data, ""), data)}


def test_every_field_of_the_seed_is_read_into_a_typed_model_field(seed_text):
    document, values = _read(seed_text)
    assert values["policy_id"] == "intl-paris-art-6-4-ccs"
    assert values["country"] == "国际"
    assert values["year"] == 2024
    assert values["pub_date"] == datetime.date(2024, 10, 1)
    assert values["review_status"] == "verified"
    assert values["sectors"] == []
    assert values["market_score"] == 100
    assert values["incentive_citation"] == "Adaptation Fund Contribution Rules"
    assert values["supersedes"] == ["clean-development-mechanism-legacy"]
    assert values["related_facilities"][:3] == ["1", "10", "100"]
    assert "1103-2" in values["related_facilities"]
    assert values["provenance_reviewer"] == "Human Audit Pending"
    assert values["provenance_last_audit_date"] == datetime.date(2026, 2, 8)
    assert values["description"].startswith("## 政策概览")
    assert values["body"] == document.body
    assert values["extra"] == ""
    assert set(values) == set(CONTENT_FIELDS)


def test_the_seed_is_rebuilt_exactly_from_its_fields(seed_text):
    document, values = _read(seed_text)
    rebuilt = data_from_values(values, document.data)
    assert frontmatter.same(rebuilt, document.data)
    assert frontmatter.render(document, rebuilt, values["body"]) == seed_text


def test_a_quoted_date_stays_a_string_and_a_timestamp_stays_a_date_when_edited():
    quoted = {"id": "a", "title": "T", "pubDate": "2024-10-01"}
    timestamp = {"id": "a", "title": "T", "pubDate": datetime.date(2024, 10, 1)}
    for template, expected in ((quoted, "2024-10-02"), (timestamp, datetime.date(2024, 10, 2))):
        values = values_from_data(template, "")
        values["pub_date"] = datetime.date(2024, 10, 2)
        assert frontmatter.same(data_from_values(values, template)["pubDate"], expected)


def test_unknown_keys_at_any_depth_are_kept_in_extra_and_written_back_in_place():
    data = {
        "id": "a",
        "series": "Carbon markets",
        "analysis": {"market": {"score": 50, "confidence": 0.8}, "social": {"score": 3}},
        "title": "T",
        "provenance": {"author": "Gemini Intelligence", "model": "gemini-2.5"},
    }
    values = values_from_data(data, "")
    assert frontmatter.load(values["extra"]) == {
        "series": "Carbon markets",
        "analysis": {"market": {"confidence": 0.8}, "social": {"score": 3}},
        "provenance": {"model": "gemini-2.5"},
    }
    assert frontmatter.same(data_from_values(values, data), data)
    values["market_score"] = 60
    rebuilt = data_from_values(values, data)
    assert list(rebuilt) == list(data)
    assert rebuilt["analysis"]["market"] == {"score": 60, "confidence": 0.8}


def test_what_the_import_keeps_as_other_frontmatter_never_holds_a_key_the_schema_knows():
    data = {
        "id": "a",
        "title": "T",
        "reviewStatus": "pending",
        "analysis": {"market": {"score": 40, "confidence": "high"}, "newDimension": {"score": 3}},
        "provenance": {},
        "note": {"reviewStatus": "not a field here"},
    }
    residue = frontmatter.load(values_from_data(data, "")["extra"])
    assert residue == {
        "analysis": {"market": {"confidence": "high"}, "newDimension": {"score": 3}},
        "note": {"reviewStatus": "not a field here"},
    }
    assert list(schema_keys(residue)) == []


def test_schema_keys_names_each_field_and_each_section_that_is_not_a_mapping_of_unknown_keys():
    residue = {
        "reviewStatus": "verified",
        "analysis": {"market": {"score": 3, "confidence": "high"}, "mrv": None, "newDimension": {"score": 3}},
        "provenance": {},
        "note": {"id": "x"},
    }
    assert [(path, leaf and leaf.attr) for path, leaf in schema_keys(residue)] == [
        (("reviewStatus",), "review_status"),
        (("analysis", "market", "score"), "market_score"),
        (("analysis", "mrv"), None),
        (("provenance",), None),
    ]


def test_a_field_added_in_the_app_goes_to_its_place_in_the_collections_order():
    data = {"id": "a", "country": "Norway", "title": "T"}
    values = values_from_data(data, "")
    values["year"] = 2021
    values["tags"] = ["CCS"]
    assert list(data_from_values(values, data)) == ["id", "country", "year", "title", "tags"]


def test_a_new_record_is_written_in_the_collections_key_order(seed_text):
    document, values = _read(seed_text)
    assert list(data_from_values(values, None)) == list(document.data)


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ({"analysis": {"market": {"score": "high"}}}, "analysis.market.score", "whole number, not 'high'"),
        ({"analysis": {"mrv": {"score": 101}}}, "analysis.mrv.score", "from 0 to 100, not 101"),
        ({"analysis": {"mrv": {"score": -1}}}, "analysis.mrv.score", "from 0 to 100, not -1"),
        ({"analysis": {"mrv": {"score": 87.5}}}, "analysis.mrv.score", "whole number"),
        ({"analysis": {"mrv": {"score": True}}}, "analysis.mrv.score", "boolean"),
        ({"year": "twenty"}, "year", "whole number, not 'twenty'"),
        ({"pubDate": "2024-02-30"}, "pubDate", "not a real date"),
        ({"pubDate": "Oct 1 2024"}, "pubDate", "YYYY-MM-DD"),
        ({"tags": "CCS"}, "tags", "must be a list"),
        ({"relatedFacilities": ["1", 2]}, "relatedFacilities", "item 2 must be text"),
        ({"analysis": ["market"]}, "analysis", "must be a mapping"),
        ({"title": " "}, "title", "must not be empty"),
        ({"title": None}, "title", "must be text, not nothing (null)"),
        ({"country": "x" * 401}, "country", "401 characters long, over the limit of 400"),
        ({"pubDate": "2024-10-01\n"}, "pubDate", "must be a date written YYYY-MM-DD, not '2024-10-01\\n'"),
        (
            {"citation": None, "analysis": {"market": {"citation": datetime.date(2024, 1, 1)}}},
            "analysis.market.citation",
            "quote it",
        ),
    ],
)
def test_a_wrong_value_is_named_by_field_with_what_is_wrong(data, field, fragment):
    problems = _problems({"id": "ok", "title": "T", **data})
    assert fragment in problems[field]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"country": "Norway"}, "is missing"),
        ({"id": "../x"}, "not a safe file name"),
        ({"id": "/etc/passwd"}, "not a safe file name"),
        ({"id": "CON"}, "reserved"),
        ({"id": ""}, "must not be empty"),
        ({"id": 42}, "must be text, not the number 42"),
        ({"id": "x" * 201}, "at most 200 characters"),
    ],
)
def test_a_record_without_a_safe_id_is_refused_since_the_id_names_its_file(data, fragment):
    assert fragment in _refused({"title": "T", **data})["id"]


def test_a_record_without_a_title_is_read_with_a_problem():
    assert _problems({"id": "a", "country": "Norway"}) == {"title": "is missing"}


def test_texts_the_collection_carries_are_read_whatever_their_length():
    long = "x" * 5000
    data = {"id": "a", "title": long, "status": long, "legalWeight": long, "provenance": {"author": long}}
    values = values_from_data(data, "")
    assert (values["title"], values["status"], values["legal_weight"], values["provenance_author"]) == (long,) * 4
    assert _problems(data) == {}


def test_a_value_its_field_cannot_hold_is_kept_as_written_and_written_back_in_its_place_after_other_edits():
    data = {
        "id": "a",
        "year": "twenty",
        "pubDate": "01/10/2024",
        "analysis": {"market": {"score": 85.5, "label": "Tax credit"}},
        "impactAnalysis": "Lowers the cost of storage.",
        "relatedFacilities": ["1", 42],
        "title": "T",
        "tags": "CCS",
    }
    values = values_from_data(data, "")
    assert (values["year"], values["pub_date"], values["market_score"], values["related_facilities"]) == (
        None,
        None,
        None,
        [],
    )
    assert values["tags"] == [] and values["impact_economic"] == ""
    assert set(_problems(data)) == {
        "year",
        "pubDate",
        "analysis.market.score",
        "impactAnalysis",
        "relatedFacilities",
        "tags",
    }
    assert frontmatter.same(data_from_values(values, data), data)
    fresh = data_from_values(values, None)
    assert (fresh["year"], fresh["analysis"]["market"]["score"], fresh["impactAnalysis"], fresh["tags"]) == (
        "twenty",
        85.5,
        "Lowers the cost of storage.",
        "CCS",
    )
    values["title"] = "Edited"
    values["market_label"] = "Tax credits"
    rebuilt = data_from_values(values, data)
    assert frontmatter.same(
        rebuilt, {**data, "title": "Edited", "analysis": {"market": {"score": 85.5, "label": "Tax credits"}}}
    )


def test_a_value_kept_as_written_is_part_of_the_content_hash(seed_text):
    _, values = _read(seed_text)
    broken = values_from_data({**frontmatter.parse(seed_text).data, "year": "twenty"}, values["body"])
    assert content_hash(broken) != content_hash({**values, "year": None})


def test_the_content_hash_changes_with_any_field_and_only_then(seed_text):
    _, values = _read(seed_text)
    same = dict(values)
    assert content_hash(same) == content_hash(values)
    for attr, new in (("market_score", 99), ("body", values["body"] + "x"), ("related_facilities", ["1"])):
        assert content_hash({**values, attr: new}) != content_hash(values)
