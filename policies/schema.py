"""The record's schema, once: every frontmatter field, where it lives, what it holds and who may change it.

Each row names a key of the collection's files (`path`), the model field holding it (`attr`), the kind of value
(which decides how it is read, checked and written), its section (how forms, diffs and the review screen group
it), whether editors may change it, and its label and help text for people. The import, the export, the forms,
the admin, the review screen, the diffs, the checks and the API all read this table: a new frontmatter key is
one row here plus its model field and migration.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, StrPromise

Kind = Literal["id", "text", "required_text", "year", "score", "date", "list"]

# A PostgreSQL B-tree entry holds at most 2,704 bytes: 400 characters of up to four bytes each, with room to spare.
INDEXED_TEXT_MAX_LENGTH = 400
ID_MAX_LENGTH = 200
SCORE_RANGE = (0, 100)
YEAR_RANGE = (1000, 9999)
# The whole numbers each kind of number holds, ends included.
RANGES: dict[str, tuple[int, int]] = {"score": SCORE_RANGE, "year": YEAR_RANGE}

DIMENSIONS: tuple[str, ...] = ("market", "mrv", "statutory", "strategic", "incentive")
DIMENSION_PARTS: tuple[str, ...] = ("score", "label", "evidence", "citation")


class Editable(StrEnum):
    """Who writes a field."""

    EDITORS = "editors"  # the change form and the API's PATCH
    IMPORT = "import"  # only a file: the id names it, provenance.author says who drafted it
    WORKFLOW = "workflow"  # only an approval: reviewStatus and the approval stamp


@dataclass(frozen=True)
class Section:
    key: str
    label: StrPromise


@dataclass(frozen=True)
class Box:
    """How a form shows a field: a box of one line, `width` characters wide, or of `rows` lines; Markdown with its
    preview as published."""

    rows: int = 1
    width: int = 40
    markdown: bool = False


LINE = Box()
WIDE_LINE = Box(width=100)
# The box each kind gets unless its row says otherwise.
KIND_BOXES: dict[str, Box] = {"required_text": WIDE_LINE, "list": Box(rows=4)}


@dataclass(frozen=True)
class Field:
    path: tuple[str, ...]
    attr: str
    kind: Kind
    section: Section
    label: StrPromise
    help_text: StrOrPromise = ""
    editable: Editable = Editable.EDITORS
    copyable: bool = False  # long prose a record should not share word for word with another (checks)
    indexed: bool = False  # in the admin list's indexes: bounded (INDEXED_TEXT_MAX_LENGTH), a longer text a problem
    box: Box | None = None  # how forms show it; by default as KIND_BOXES says for its kind

    @property
    def dotted(self) -> str:
        """The key as the file names it: `analysis.market.score`."""
        return ".".join(self.path)

    @property
    def value_range(self) -> tuple[int, int] | None:
        """The lowest and highest whole number a number field holds."""
        return RANGES.get(self.kind)

    @property
    def max_length(self) -> int | None:
        """The most characters a text field holds (longer text read from a file is kept as written, a problem)."""
        if self.kind == "id":
            return ID_MAX_LENGTH
        return INDEXED_TEXT_MAX_LENGTH if self.indexed else None

    @property
    def form_box(self) -> Box:
        return self.box or KIND_BOXES.get(self.kind, LINE)


IDENTITY = Section("identity", _("Identity"))
CLASSIFICATION = Section("classification", _("Classification"))
DIMENSION_LABELS: dict[str, StrPromise] = {
    "market": _("Market"),
    "mrv": _("MRV"),
    "statutory": _("Statutory force"),
    "strategic": _("Strategic weight"),
    "incentive": _("Incentives"),
}
DIMENSION_SECTIONS = {d: Section(f"analysis.{d}", label) for d, label in DIMENSION_LABELS.items()}
IMPACT = Section("impact", _("Impact analysis"))
EVOLUTION = Section("evolution", _("Evolution"))
IMPLEMENTATION = Section("implementation", _("Implementation"))
FACILITIES = Section("facilities", _("Related facilities"))
PROVENANCE = Section("provenance", _("Provenance"))
TEXT = Section("text", _("Description and body"))

PART_LABELS: dict[str, StrPromise] = {
    "score": _("score"),
    "label": _("label"),
    "evidence": _("evidence"),
    "citation": _("citation"),
}


def _dimension_fields(dimension: str) -> Iterator[Field]:
    section = DIMENSION_SECTIONS[dimension]
    for part in DIMENSION_PARTS:
        yield Field(
            ("analysis", dimension, part),
            f"{dimension}_{part}",
            "score" if part == "score" else "text",
            section,
            # Lazy, so that each request reads the label in its own language.
            format_lazy(_("{dimension} {part}"), dimension=DIMENSION_LABELS[dimension], part=PART_LABELS[part]),
            _("0 to 100.") if part == "score" else "",
            copyable=part in ("label", "evidence"),
            box={"evidence": Box(rows=7), "citation": Box(rows=2)}.get(part),
        )


# In the order the collection writes its files: a key missing from a record's file is added at its place here.
FIELDS: tuple[Field, ...] = (
    Field(("id",), "policy_id", "id", IDENTITY, _("Id"), _("Names the record's file."), Editable.IMPORT),
    Field(("country",), "country", "text", IDENTITY, _("Country or region"), indexed=True),
    Field(("year",), "year", "year", IDENTITY, _("Year")),
    Field(("status",), "status", "text", CLASSIFICATION, _("Status")),
    Field(("category",), "category", "text", CLASSIFICATION, _("Category"), indexed=True),
    Field(("pubDate",), "pub_date", "date", IDENTITY, _("Publication date"), _("YYYY-MM-DD.")),
    Field(
        ("reviewStatus",),
        "review_status",
        "text",
        PROVENANCE,
        _("Review status"),
        _("As the file states it; the review state is what the desk trusts."),
        Editable.WORKFLOW,
    ),
    Field(("legalWeight",), "legal_weight", "text", CLASSIFICATION, _("Legal weight")),
    Field(("sectors",), "sectors", "list", CLASSIFICATION, _("Sectors"), _("One a line.")),
    *(field for dimension in DIMENSIONS for field in _dimension_fields(dimension)),
    Field(("impactAnalysis", "economic"), "impact_economic", "text", IMPACT, _("Economic impact"), box=Box(rows=4)),
    Field(("impactAnalysis", "technical"), "impact_technical", "text", IMPACT, _("Technical impact"), box=Box(rows=4)),
    Field(
        ("impactAnalysis", "environmental"),
        "impact_environmental",
        "text",
        IMPACT,
        _("Environmental impact"),
        box=Box(rows=4),
    ),
    Field(
        ("evolution", "supersedes"),
        "supersedes",
        "list",
        EVOLUTION,
        _("Supersedes"),
        _("Ids of the records this one replaces, one a line."),
    ),
    Field(("evolution", "clusters"), "clusters", "list", EVOLUTION, _("Clusters"), _("One a line.")),
    Field(
        ("implementationDetails", "authority"),
        "implementation_authority",
        "text",
        IMPLEMENTATION,
        _("Authority"),
        box=Box(rows=3),
    ),
    Field(
        ("implementationDetails", "mechanism"),
        "implementation_mechanism",
        "text",
        IMPLEMENTATION,
        _("Mechanism"),
        box=Box(rows=3),
    ),
    Field(
        ("implementationDetails", "fundingScale"),
        "implementation_funding_scale",
        "text",
        IMPLEMENTATION,
        _("Funding scale"),
        box=Box(rows=3),
    ),
    Field(
        ("relatedFacilities",),
        "related_facilities",
        "list",
        FACILITIES,
        _("Related facilities"),
        _("Facility ids in the order the file lists them, one a line."),
        box=Box(rows=6),
    ),
    Field(("url",), "url", "text", IDENTITY, _("Address (URL)"), box=WIDE_LINE),
    Field(("source",), "source", "text", IDENTITY, _("Source"), box=Box(width=60)),
    Field(("provenance", "author"), "provenance_author", "text", PROVENANCE, _("Drafted by"), editable=Editable.IMPORT),
    Field(
        ("provenance", "reviewer"), "provenance_reviewer", "text", PROVENANCE, _("Reviewer"), editable=Editable.WORKFLOW
    ),
    Field(
        ("provenance", "lastAuditDate"),
        "provenance_last_audit_date",
        "date",
        PROVENANCE,
        _("Last audit date"),
        editable=Editable.WORKFLOW,
    ),
    Field(("title",), "title", "required_text", IDENTITY, _("Title")),
    Field(("scope",), "scope", "text", CLASSIFICATION, _("Scope")),
    Field(("tags",), "tags", "list", CLASSIFICATION, _("Tags"), _("One a line.")),
    Field(
        ("description",), "description", "text", TEXT, _("Description"), _("Markdown."), box=Box(rows=8, markdown=True)
    ),
)


@dataclass(frozen=True)
class Part:
    """Content of a record beyond its frontmatter's known keys."""

    attr: str
    section: Section
    label: StrPromise
    help_text: StrOrPromise = ""


BODY = Part("body", TEXT, _("Body"), _("Markdown, after the frontmatter."))
OTHER = Section("other", _("Other frontmatter"))
EXTRA = Part(
    "extra",
    OTHER,
    _("Other frontmatter"),
    _("Keys the schema does not know, as YAML, kept and exported where the file had them."),
)
AS_WRITTEN = Section("as_written", _("Values kept as written"))
INVALID = Part(
    "invalid",
    AS_WRITTEN,
    _("Values as written"),
    _(
        "Values the file gave that their fields cannot hold (a score of 85.5, a date written 01/10/2024), as YAML by "
        "their keys (analysis.market.score): exported as written, and each a problem to fix, until an edit gives the "
        "field a value it can hold."
    ),
)
PARTS: tuple[Part, ...] = (BODY, EXTRA, INVALID)

# Every model field that is part of a record's content: what history compares, hashes, diffs and exports.
CONTENT_FIELDS: tuple[str, ...] = (*(field.attr for field in FIELDS), *(part.attr for part in PARTS))
BY_ATTR: dict[str, Field] = {field.attr: field for field in FIELDS}
BY_DOTTED: dict[str, Field] = {field.dotted: field for field in FIELDS}
# The sections in the order forms, diffs and the review screen show them.
SECTIONS: tuple[Section, ...] = (
    IDENTITY,
    CLASSIFICATION,
    *DIMENSION_SECTIONS.values(),
    IMPACT,
    EVOLUTION,
    IMPLEMENTATION,
    FACILITIES,
    PROVENANCE,
    TEXT,
    AS_WRITTEN,
    OTHER,
)


def in_section(section: Section) -> list[str]:
    """The content fields of a section, in the order forms show them."""
    fields = [field.attr for field in sorted(FIELDS, key=_form_order) if field.section == section]
    return fields + [part.attr for part in PARTS if part.section == section]


def _form_order(field: Field) -> int:
    # Within a section, the order of the file, but the id, the title and the description lead theirs.
    return {"policy_id": -3, "title": -2, "description": -1}.get(field.attr, FIELDS.index(field))


def written_by(editable: Editable) -> tuple[str, ...]:
    """The fields only that writer writes."""
    return tuple(field.attr for field in FIELDS if field.editable == editable)
