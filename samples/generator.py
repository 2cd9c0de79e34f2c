"""Sample policy records, realistic and reproducible, for the example collection, tests and benchmarks.

A run is fixed by its seed: the same seed gives the same records, byte for byte, on any machine. To keep that
promise the generator draws only from one `random.Random` through methods whose algorithms Python keeps stable
(`random`, `randint`, `choice`, `choices`, `sample`, `triangular`), and it never iterates over a set. Records are
generated one after another and only ever look back, so the first N records of a seed are the same whatever the
count, and a run streams: memory holds the ids issued so far, not the records.

What the records say comes from the word lists in samples/data, which a seed draws from by position: the lists and
their order are part of what a seed gives.

Every tenth record (by index) carries keys the schema does not know, and every twentieth a string that a YAML
writer must quote, so any slice of ten or twenty records exercises the import's residue and the codec's quoting.
"""

from __future__ import annotations

import datetime
import functools
import os
import random
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from policies.codec import frontmatter
from policies.models import ANALYSIS_DIMENSIONS, HUMAN_AUDIT_PENDING

Lang = Literal["zh", "en"]
Data = dict[str, Any]

AUTHOR = "Gemini Intelligence"
# The collection's "today": no record is published or audited after it.
COLLECTION_DATE = datetime.date(2026, 2, 27)
MAX_FACILITIES = 1400
WORD_LISTS = Path(__file__).resolve().parent / "data"

_YEARS = tuple(range(2005, 2027))
_YEAR_WEIGHTS = tuple(1 if y < 2010 else 2 if y < 2015 else 4 if y < 2020 else 8 if y < 2024 else 10 for y in _YEARS)
_EARLIEST_AUDIT = datetime.date(2025, 3, 1)

# Facility ids as the collection stores them: numbers, a few split into '-2', '-3' parts.
_SPLIT_FACILITIES = {"87": 2, "212": 2, "487": 2, "651": 3, "863": 2, "1103": 2, "1277": 2}
_FACILITY_IDS = tuple(
    [str(n) for n in range(1, MAX_FACILITIES + 1)]
    + [f"{n}-{part}" for n, parts in _SPLIT_FACILITIES.items() for part in range(2, parts + 1)]
)

_STATUSES = ("Active", "Draft", "Proposed", "Superseded", "Expired", "Repealed")
_STATUS_WEIGHTS_BY_ERA = (
    (2015, (45, 0, 0, 38, 12, 5)),
    (2023, (74, 2, 2, 15, 4, 3)),
    (2024, (70, 10, 12, 5, 2, 1)),
    (2026, (40, 28, 28, 2, 1, 1)),
)
_ZH_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Region:
    slug: str
    name: str
    source: str
    host: str


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    country: str
    lang: Lang
    place: str
    scope: str
    weight: int  # how often it is drawn, against the others' weights
    currency: str
    authorities: tuple[tuple[str, str, str], ...]  # (authority as written, source, web host)
    clusters: tuple[str, ...]
    citations: tuple[str, ...]
    regions: tuple[Region, ...] = ()
    region_scope: str = "Regional"
    international: bool = False


@dataclass(frozen=True)
class Topic:
    slug: str
    category: str
    zh: str
    en: str
    international: bool = False


@dataclass(frozen=True)
class Phrases:
    """The wording of one language (samples/data/<lang>.toml); templates are filled by `_fill`."""

    lang: Lang
    subjects: tuple[str, ...]
    closers: tuple[str, ...]
    aims: tuple[str, ...]
    goals: tuple[str, ...]
    details: tuple[str, ...]
    outlooks: tuple[str, ...]
    progress: tuple[str, ...]
    funding: tuple[str, ...]
    tags: tuple[str, ...]
    headings: tuple[str, str, str, str]  # overview, key provisions, progress, sources
    months: tuple[str, ...]
    title_suffixes: tuple[str, ...]
    opening: str
    provision: str
    phase_label: str
    global_mechanism: str
    global_funding: str
    labels: dict[str, tuple[str, ...]]
    evidence: dict[str, tuple[str, ...]]
    impact: dict[str, tuple[str, ...]]
    mechanisms: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class WordLists:
    """What sample records are written about and in which words: the files of samples/data."""

    jurisdictions: tuple[Jurisdiction, ...]
    topics: tuple[Topic, ...]
    phrases: dict[Lang, Phrases]
    sectors: tuple[str, ...]
    outside_ids: tuple[str, ...]
    qualifiers: tuple[str, ...]
    legal_weight: dict[str, tuple[str, ...]]


@functools.cache
def load_word_lists() -> WordLists:
    """The word lists, read from samples/data on the first call; every later call returns the same object."""
    return WordLists(
        jurisdictions=tuple(
            Jurisdiction(**{**row, "regions": tuple(Region(*region) for region in row.get("regions", ()))})
            for row in _read_toml("jurisdictions.toml")["jurisdiction"]
        ),
        topics=tuple(Topic(**row) for row in _read_toml("topics.toml")["topic"]),
        phrases={lang: Phrases(lang=lang, **_read_toml(f"{lang}.toml")) for lang in get_args(Lang)},
        **_read_toml("fields.toml"),
    )


def _read_toml(name: str) -> Any:
    return _frozen(tomllib.loads((WORD_LISTS / name).read_text(encoding="utf-8")))


def _frozen(value: Any) -> Any:
    """`value` with its lists, at any depth, as tuples: the word lists cannot change once read."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value


@dataclass
class SampleRun:
    """The ids one run has issued so far: keeps ids unique and lets later records supersede earlier ones."""

    ids: set[str] = field(default_factory=set)
    lineages: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    def claim(self, rng: random.Random, lineage: str, year: int) -> str:
        """A new id for `lineage` in `year`: `<lineage>-<year>`, else with a qualifier (`-amendment`), else `-2`..."""
        base = f"{lineage}-{year}"
        qualifiers = load_word_lists().qualifiers
        candidates = [base, *(f"{base}-{q}" for q in rng.sample(qualifiers, len(qualifiers)))]
        candidate = next((c for c in candidates if c not in self.ids), None)
        n = 2
        while candidate is None or candidate in self.ids:
            candidate, n = f"{base}-{n}", n + 1
        self.ids.add(candidate)
        self.lineages.setdefault(lineage, []).append((year, candidate))
        return candidate

    def earlier(self, lineage: str, year: int) -> list[str]:
        """Ids already issued in `lineage` for years before `year`, newest first."""
        return [pid for y, pid in sorted(self.lineages.get(lineage, ()), reverse=True) if y < year]


@dataclass(frozen=True)
class _Context:
    """What the text of one record is written about."""

    rng: random.Random
    jurisdiction: Jurisdiction
    phrases: Phrases
    place: str
    authority: str
    doc: str
    year: int


def _zh_numeral(n: int) -> str:
    """1..99 as Chinese numerals, as article numbers are written (第二十三条)."""
    tens, units = divmod(n, 10)
    if not tens:
        return _ZH_DIGITS[units]
    return ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + (_ZH_DIGITS[units] if units else "")


def _money(ctx: _Context, amount: int) -> str:
    currency = ctx.jurisdiction.currency
    return f"{amount} {currency}" if ctx.phrases.lang == "zh" else f"{currency}{amount}"


def _fill(ctx: _Context, template: str, **extra: str) -> str:
    """`template` filled in with the record's facts and freshly drawn numbers and phrases."""
    rng = ctx.rng
    n = rng.randint(2, 30)
    return template.format(
        place=ctx.place,
        authority=ctx.authority,
        doc=ctx.doc,
        year=ctx.year,
        n=n,
        k=rng.randint(1, 4),
        big=rng.randint(100, 4999),
        pct=rng.choice((5, 10, 15, 20, 25, 30)),
        price=_money(ctx, rng.choice((30, 50, 85, 100, 130, 180))),
        currency=ctx.jurisdiction.currency,
        target_year=rng.choice((2030, 2035, 2040, 2050, 2060)),
        letter=rng.choice("abcdefh"),
        cn_num=_zh_numeral(n),
        subject=rng.choice(ctx.phrases.subjects),
        closer=rng.choice(ctx.phrases.closers),
        **extra,
    )


def _pub_date(rng: random.Random, year: int) -> datetime.date:
    first = datetime.date(year, 1, 1)
    last = min(datetime.date(year, 12, 31), COLLECTION_DATE)
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def _audit_date(rng: random.Random, published: datetime.date) -> datetime.date:
    first = max(published, _EARLIEST_AUDIT)
    return first + datetime.timedelta(days=rng.randint(0, (COLLECTION_DATE - first).days))


def _status(rng: random.Random, year: int) -> str:
    weights = next(w for until, w in _STATUS_WEIGHTS_BY_ERA if year <= until)
    return rng.choices(_STATUSES, weights)[0]


def _facilities(rng: random.Random) -> list[str]:
    """0-1,400 facility ids, sorted as strings like the collection's files ('1', '10', '100', '1000', ...)."""
    draw = rng.random()
    if draw < 0.04:
        return []
    count = rng.randint(1, 60) if draw < 0.1 else round(rng.triangular(400, MAX_FACILITIES, 1300))
    return sorted(rng.sample(_FACILITY_IDS, count))


# A policy scores highest on the dimension its category is about.
_LEANS = {
    ("market", "Market"),
    ("statutory", "Regulation"),
    ("incentive", "Incentive"),
    ("mrv", "Standard"),
    ("strategic", "Strategy"),
}


def _analysis(ctx: _Context, category: str) -> Data:
    rng = ctx.rng
    strength = rng.randint(35, 95)
    analysis: Data = {}
    for dimension in ANALYSIS_DIMENSIONS:
        lean = 12 if (dimension, category) in _LEANS else 0
        analysis[dimension] = {
            "score": max(0, min(100, strength + lean + rng.randint(-25, 20))),
            "label": rng.choice(ctx.phrases.labels[dimension]),
            "evidence": _fill(ctx, rng.choice(ctx.phrases.evidence[dimension])),
            "citation": _fill(ctx, rng.choice(ctx.jurisdiction.citations)),
        }
    return analysis


def _supersedes(rng: random.Random, run: SampleRun, lineage: str, year: int, code: str) -> list[str]:
    predecessors = run.earlier(lineage, year)
    draw = rng.random()
    if predecessors and draw < 0.5:
        return predecessors[: rng.choice((1, 1, 1, 2))]
    if draw < 0.12:
        outside_ids = load_word_lists().outside_ids
        return [rng.choice((*outside_ids, f"{code}-interim-measures-{year - rng.randint(3, 9)}"))]
    return []


def _description(ctx: _Context, month: int) -> str:
    rng, phrases = ctx.rng, ctx.phrases
    opening = _fill(
        ctx,
        phrases.opening,
        aim=rng.choice(phrases.aims),
        goal=_fill(ctx, rng.choice(phrases.goals)),
        month=phrases.months[month - 1],
    )
    details = " ".join(_fill(ctx, d) for d in rng.sample(phrases.details, 2))
    if phrases.lang == "zh":
        details = details.replace("。 ", "。")
    paragraphs = [phrases.headings[0], opening, details]
    if rng.random() < 0.5:
        paragraphs.append(rng.choice(phrases.outlooks))
    return "\n\n".join(paragraphs)


def _body(ctx: _Context, description: str, analysis: Data, source: str, url: str) -> str:
    """The Markdown after the frontmatter: the description again, as in the collection, sometimes with more."""
    rng, phrases = ctx.rng, ctx.phrases
    sections = [description]
    if rng.random() < 0.5:
        provisions = [
            phrases.provision.format(label=part["label"], citation=part["citation"])
            for part in (analysis[d] for d in rng.sample(ANALYSIS_DIMENSIONS, 3))
        ]
        sections += [phrases.headings[1], "\n".join(provisions)]
        if rng.random() < 0.5:
            sections += [phrases.headings[2], _fill(ctx, rng.choice(phrases.progress))]
        sections += [phrases.headings[3], f"- [{source}]({url})"]
    return "\n" + "\n\n".join(sections) + "\n"


def _url(rng: random.Random, host: str, year: int) -> str:
    number = rng.randint(100, 99999)
    if host.endswith(".cn"):
        return f"https://{host}/xxgk/{year}{rng.randint(1, 12):02d}/t{year}0{number % 1000:03d}_{number}.html"
    shape = rng.choice(("policy/{y}/{n}.html", "documents/{y}-{n}", "eli/{y}/{n}/oj", "publications/{y}/{n}"))
    return f"https://{host}/" + shape.format(y=year, n=number)


def sample_record(rng: random.Random, index: int, *, run: SampleRun | None = None) -> tuple[Data, str]:
    """One record: its frontmatter data, keys in the collection's order, and its Markdown body.

    `run` keeps ids unique across calls and lets a record supersede earlier ones; without it the record stands
    alone. `index` (the record's position in its run) decides which records carry unknown keys or strings that
    need quoting; everything else comes from `rng`.
    """
    run = run if run is not None else SampleRun()
    words = load_word_lists()
    jurisdiction = rng.choices(words.jurisdictions, [j.weight for j in words.jurisdictions])[0]
    phrases = words.phrases[jurisdiction.lang]
    topic = rng.choice(tuple(t for t in words.topics if t.international == jurisdiction.international))
    region = rng.choice(jurisdiction.regions) if jurisdiction.regions and rng.random() < 0.45 else None
    year = rng.choices(_YEARS, _YEAR_WEIGHTS)[0]

    if region is None:
        authority, source, host = rng.choice(jurisdiction.authorities)
        place, scope = jurisdiction.place, jurisdiction.scope
        lineage = f"{jurisdiction.code}-{topic.slug}"
    else:
        authority, source, host = region.source, region.source, region.host
        place, scope = region.name, jurisdiction.region_scope
        lineage = f"{jurisdiction.code}-{region.slug}-{topic.slug}"
    title = (topic.zh if phrases.lang == "zh" else topic.en).format(place=place)
    if phrases.title_suffixes and rng.random() < 0.15:
        title += f": {rng.choice(phrases.title_suffixes)}"
    doc = title if phrases.lang == "en" or title.startswith(("《", "ISO")) else f"《{title}》"
    ctx = _Context(rng, jurisdiction, phrases, place, authority, doc, year)

    published = _pub_date(rng, year)
    global_market = jurisdiction.international and topic.category == "Market"
    supersedes = _supersedes(rng, run, lineage, year, jurisdiction.code)
    policy_id = run.claim(rng, lineage, year)
    analysis = _analysis(ctx, topic.category)
    url = _url(rng, host, year)
    description = _description(ctx, published.month)
    data: Data = {
        "id": policy_id,
        "country": jurisdiction.country,
        "year": year,
        "status": _status(rng, year),
        "category": topic.category,
        "pubDate": published.isoformat(),
        "reviewStatus": "verified" if rng.random() < 0.12 else "pending",
        "legalWeight": (
            "International Agreement"
            if jurisdiction.international and rng.random() < 0.5
            else rng.choice(words.legal_weight[topic.category])
        ),
        "sectors": [] if rng.random() < 0.3 else rng.sample(words.sectors, rng.randint(1, 4)),
        "analysis": analysis,
        "impactAnalysis": {aspect: _fill(ctx, rng.choice(phrases.impact[aspect])) for aspect in phrases.impact},
        "evolution": {
            "supersedes": supersedes,
            "clusters": rng.sample(jurisdiction.clusters, rng.randint(1, min(3, len(jurisdiction.clusters)))),
        },
        "implementationDetails": {
            "authority": authority,
            "mechanism": (
                phrases.global_mechanism if global_market else rng.choice(phrases.mechanisms[topic.category])
            ),
            "fundingScale": phrases.global_funding if global_market else _fill(ctx, rng.choice(phrases.funding)),
        },
        "relatedFacilities": _facilities(rng),
        "url": url,
        "source": source,
        "provenance": {
            "author": AUTHOR,
            "reviewer": HUMAN_AUDIT_PENDING,
            "lastAuditDate": _audit_date(rng, published).isoformat(),
        },
        "title": title,
        "scope": scope,
        "tags": rng.sample(phrases.tags, rng.randint(2, 5)),
        "description": description,
    }
    if index % 20 == 7:
        for quirk in rng.sample(_QUOTING_QUIRKS, rng.randint(1, 2)):
            quirk(rng, data)
    if index % 10 == 4:
        for addition in rng.sample(_UNKNOWN_KEYS, rng.randint(1, 2)):
            data = addition(rng, data)
    return data, _body(ctx, data["description"], data["analysis"], source, url)


def _insert_after(mapping: Data, after: str, key: str, value: Any) -> Data:
    """A copy of `mapping` with `key` placed right after `after`, where a person editing the file would put it."""
    items = list(mapping.items())
    position = next(i for i, (k, _) in enumerate(items) if k == after) + 1
    return dict([*items[:position], (key, value), *items[position:]])


def _tag_yes(rng: random.Random, data: Data) -> None:
    data["tags"].append(rng.choice(("yes", "no", "on", "null", "2030")))


def _label_list_marker(rng: random.Random, data: Data) -> None:
    part = data["analysis"][rng.choice(ANALYSIS_DIMENSIONS)]
    part["label"] = f"- {part['label']}"


def _label_colon(rng: random.Random, data: Data) -> None:
    part = data["analysis"][rng.choice(ANALYSIS_DIMENSIONS)]
    words = load_word_lists()
    lang = next(j.lang for j in words.jurisdictions if j.country == data["country"])
    template = words.phrases[lang].phase_label
    part["label"] = template.format(k=rng.randint(1, 4), label=part["label"])


def _citation_date(rng: random.Random, data: Data) -> None:
    data["analysis"][rng.choice(ANALYSIS_DIMENSIONS)]["citation"] = data["pubDate"]


def _emoji(rng: random.Random, data: Data) -> None:
    part = data["analysis"][rng.choice(ANALYSIS_DIMENSIONS)]
    part["evidence"] += rng.choice((" 🌍", " ✅", " 🚀"))
    data["tags"].append("🌱 Net Zero")


def _hash_and_star(rng: random.Random, data: Data) -> None:
    data["tags"].insert(0, "#NetZero")
    part = data["analysis"][rng.choice(ANALYSIS_DIMENSIONS)]
    part["citation"] = f"*{part['citation']}* #{rng.randint(1, 9)}"


def _quoted_and_numeric(rng: random.Random, data: Data) -> None:
    data["analysis"]["strategic"]["label"] = f'"{data["analysis"]["strategic"]["label"]}" 2.0'
    data["implementationDetails"]["fundingScale"] = str(rng.randint(1, 9) * 10**9)


def _two_line_impact(rng: random.Random, data: Data) -> None:
    impact = data["impactAnalysis"]
    impact["technical"] = f"{impact['technical']}\n{impact['environmental']}"


_QUOTING_QUIRKS: tuple[Callable[[random.Random, Data], None], ...] = (
    _tag_yes,
    _label_list_marker,
    _label_colon,
    _citation_date,
    _emoji,
    _hash_and_star,
    _quoted_and_numeric,
    _two_line_impact,
)


def _series(rng: random.Random, data: Data) -> Data:
    series = rng.choice(("CCUS Policy Digest", "中国 CCUS 政策汇编", "North Sea Storage Series"))
    return _insert_after(data, "category", "series", series)


def _confidence(rng: random.Random, data: Data) -> Data:
    part = data["analysis"][rng.choice(ANALYSIS_DIMENSIONS)]
    part["confidence"] = round(rng.uniform(0.55, 0.95), 2)
    return data


def _model(rng: random.Random, data: Data) -> Data:
    model = rng.choice(("gemini-1.5-pro", "gemini-2.0-flash", "gemini-2.5-pro"))
    data["provenance"] = _insert_after(data["provenance"], "author", "model", model)
    return data


def _deadline(rng: random.Random, data: Data) -> Data:
    data["implementationDetails"]["deadline"] = f"{data['year'] + rng.randint(2, 10)}-12-31"
    return data


def _aliases(rng: random.Random, data: Data) -> Data:
    aliases = [data["id"].rsplit("-", 1)[0], f"{data['id']}-draft"]
    return _insert_after(data, "tags", "aliases", aliases[: rng.randint(1, 2)])


_UNKNOWN_KEYS: tuple[Callable[[random.Random, Data], Data], ...] = (_series, _confidence, _model, _deadline, _aliases)


def iter_sample_records(count: int, seed: int) -> Iterator[tuple[Data, str]]:
    """The `count` records of the run fixed by `seed`, one at a time."""
    rng = random.Random(seed)
    run = SampleRun()
    for index in range(count):
        yield sample_record(rng, index, run=run)


class SampleConflict(Exception):
    """Files of the sample already exist with other contents, and overwriting them was not asked for."""

    def __init__(self, out_dir: Path, names: list[str]) -> None:
        self.out_dir = out_dir
        self.names = names
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        super().__init__(f"{len(names)} file(s) in {out_dir} already exist with different contents ({shown}).")


def write_sample_collection(
    out_dir: Path,
    count: int,
    seed: int,
    *,
    force: bool = False,
    progress: Callable[[Iterable[Any]], Iterator[Any]] | None = None,
) -> list[Path]:
    """Write the run's `count` records into `out_dir` as `<id>.md`, returning their paths in run order.

    A file that already holds exactly the record's bytes is left alone, so writing the same seed twice is a no-op.
    If any other file would be overwritten, `SampleConflict` is raised before anything is written, unless `force`.
    Files in `out_dir` that are not part of the sample are never touched.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    existing = {entry.name for entry in os.scandir(out_dir) if entry.name.endswith(".md")}
    unchanged: set[str] = set()
    if existing and not force:
        conflicts = []
        for name, text in _colliding(count, seed, existing):
            if _read(out_dir / name) == text:
                unchanged.add(name)
            else:
                conflicts.append(name)
        if conflicts:
            raise SampleConflict(out_dir, conflicts)
    paths = []
    records = iter_sample_records(count, seed)
    for data, body in progress(records) if progress else records:
        path = out_dir / f"{data['id']}.md"
        if path.name not in unchanged:
            text = frontmatter.render(None, data, body).encode()
            if path.name not in existing or _read(path) != text:
                _write_atomically(path, text)
        paths.append(path)
    return paths


def _colliding(count: int, seed: int, names: set[str]) -> Iterator[tuple[str, bytes]]:
    # Rendering is the expensive part: generate every record but render only those whose file already exists.
    for data, body in iter_sample_records(count, seed):
        name = f"{data['id']}.md"
        if name in names:
            yield name, frontmatter.render(None, data, body).encode()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _write_atomically(path: Path, text: bytes) -> None:
    # No fsync: sample files can always be generated again, and syncing 20,000 of them would dominate the run.
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as temp:
            temp.write(text)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
