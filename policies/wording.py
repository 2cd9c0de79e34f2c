"""Texts that are stored and read later, by people who may read another language than the one they were worded in.

A warning is worded when the checks run, in the language of whoever saved the record; it is read afterwards by
anyone. `Worded` is such a text: a str in the active language that also keeps its message id and parameters, so
that `reword` can say it again in the reader's language. `PolicyWarning` stores both (`message`, `wording`).
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext


class Worded(str):
    """`gettext(msgid) % params`, worded now, remembering how to word itself again (mark the msgid with
    `gettext_noop` where it is written, so that the catalogue has it)."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, params: dict[str, Any] | None = None) -> Worded:
        params = dict(params or {})
        text = gettext(msgid) % params if params else gettext(msgid)
        worded = super().__new__(cls, text)
        worded.msgid, worded.params = msgid, params
        return worded

    def as_data(self) -> dict[str, Any]:
        return {"msgid": self.msgid, "params": {name: _param_data(value) for name, value in self.params.items()}}


def _param_data(value: Any) -> Any:
    if isinstance(value, Worded):
        return value.as_data()
    lazy_args = getattr(value, "_args", None) if isinstance(value, Promise) else None
    if lazy_args:
        # A label made with gettext_lazy (the schema's): its msgid, to word in the reader's language too.
        return {"msgid": lazy_args[0], "params": {}}
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def data_of(text: str) -> dict[str, Any]:
    """What to store beside `text` to word it again: nothing for a text that cannot be."""
    return text.as_data() if isinstance(text, Worded) else {}


def reword(data: dict[str, Any]) -> str:
    """The stored text in the active language."""
    params = {
        name: reword(value) if isinstance(value, dict) and "msgid" in value else value
        for name, value in data.get("params", {}).items()
    }
    return gettext(data["msgid"]) % params if params else gettext(data["msgid"])
