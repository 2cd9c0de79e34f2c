"""The countries and regions records name, in both languages (`policies/data/countries.toml`).

Records write the same place as 中国 or China, 国际 or International. The list's country filter, the search and
the API treat every spelling of one place as that place; a record naming a place the vocabulary does not know gets
a warning with the closest name it does (`policies.checks`). Records keep what they wrote: nothing here rewrites
a value.
"""

from __future__ import annotations

import difflib
import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import get_language

VOCABULARY = Path(__file__).resolve().parent / "data" / "countries.toml"


@dataclass(frozen=True)
class Place:
    code: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """How people write the place: its Chinese and English names and their variants (not its code, which as a
        search word would be an ordinary one: "no", "in", "us")."""
        return (self.zh, self.en, *self.aliases)

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every value a record may hold for the place: its names and its code."""
        return (*self.names, self.code)

    @property
    def label(self) -> str:
        """The place's name in the language of the page, the other one after it: 中国 (China), China (中国)."""
        chinese = (get_language() or "").startswith("zh")
        first, second = (self.zh, self.en) if chinese else (self.en, self.zh)
        return f"{first} ({second})"


@functools.cache
def places() -> tuple[Place, ...]:
    with VOCABULARY.open("rb") as file:
        entries = tomllib.load(file)["place"]
    return tuple(Place(entry["code"], entry["zh"], entry["en"], tuple(entry.get("aliases", ()))) for entry in entries)


@functools.cache
def _by_spelling() -> dict[str, Place]:
    return {spelling.casefold(): place for place in places() for spelling in place.spellings}


@functools.cache
def _by_name() -> dict[str, Place]:
    return {name.casefold(): place for place in places() for name in place.names}


def find(value: str) -> Place | None:
    """The place a record's country value names (any spelling, any case), or None."""
    return _by_spelling().get(value.strip().casefold())


def named(word: str) -> Place | None:
    """The place a search word names (a name, not a code), or None."""
    return _by_name().get(word.strip().casefold())


def spellings_of(value: str) -> list[str]:
    """The values that mean the same place as `value` (itself first); just `value` for a place not known."""
    place = find(value)
    return [value] if place is None else [value, *(s for s in place.spellings if s != value)]


def closest(value: str) -> Place | None:
    """The known place whose spelling is nearest to `value`, if any is near enough to be a likely slip."""
    matches = difflib.get_close_matches(value.strip().casefold(), list(_by_spelling()), n=1, cutoff=0.6)
    return _by_spelling()[matches[0]] if matches else None
