"""Every sentence our templates put before a person goes through the translation machinery, the project catalogue
translates all of it into Simplified Chinese, and the main screens of a Chinese browser hold no English of ours."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation.template import templatize

from reviews import workflow
from tests.data import ROOT
from tests.factories import approve, edit, make_policy_without_warnings, make_user

TEMPLATES = sorted([*(ROOT / "templates").rglob("*.html"), *(ROOT / "api" / "templates").rglob("*.html")])
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# What is not a person's reading: translate tags (their text is the catalogue's), other tags, variables, comments,
# scripts and styles, a page's body classes, code in <code> and the names of keys in <kbd>.
_HIDDEN = [
    re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"{#.*?#}", re.S),
    re.compile(r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", re.S),
    re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I),
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"{%\s*block bodyclass\s*%}.*?{%\s*endblock\s*%}", re.S),
    re.compile(r"<(kbd|code)>.*?</\1>", re.S),
    re.compile(r"{%.*?%}", re.S),
    re.compile(r"{{.*?}}", re.S),
]
# Attributes a person reads (or hears): they must hold only a translate tag or a variable.
_READ_ATTRIBUTES = re.compile(r'\b(title|alt|aria-label|placeholder|value|data-[\w-]+)="([^"]*)"')
_NOT_WORDS = re.compile(r"^[\W\d_]*$")  # punctuation, digits, arrows, ·, …


def _blank(match: re.Match[str]) -> str:
    """The match's newlines (so that what is left keeps its line numbers), else a space between the words around."""
    return "\n" * match.group(0).count("\n") or " "


def untranslated(path: Path, root: Path = ROOT) -> list[str]:
    """`file:line: text` for each piece of visible text of the template that no translate tag carries."""
    text = path.read_text(encoding="utf-8")
    name_of = path.relative_to(root)
    found: list[tuple[int, str]] = []
    for line_number, line in enumerate(text.splitlines(), 1):
        for variable in re.findall(r"{{.*?}}", line):
            # A filter's argument in words, such as |default:"a command", is shown untranslated; _("...") is not.
            for name, argument in re.findall(r'\|(\w+):"([^"]*)"', variable):
                if name not in ("date", "time") and re.search(r"[A-Za-z]{2}", argument):
                    found.append((line_number, variable))
        for name, value in _READ_ATTRIBUTES.findall(line):
            bare = value
            for pattern in _HIDDEN:
                bare = pattern.sub("", bare)
            # A form's value or a data attribute may be a code (approve, Enter); a sentence is words and spaces.
            is_code = name in ("value", "data-key") or name.startswith("data-")
            if bare and not _NOT_WORDS.match(bare) and (not is_code or " " in bare.strip()):
                found.append((line_number, f"{name}={value!r}"))
    for pattern in _HIDDEN:
        text = pattern.sub(_blank, text)
    text = re.sub(r"<[^>]*>", lambda m: _blank(m), text, flags=re.S)
    for line_number, line in enumerate(text.splitlines(), 1):
        for piece in re.split(r"\s{2,}", line.strip()):
            if piece and not _NOT_WORDS.match(piece):
                found.append((line_number, piece))
    return [f"{name_of}:{line_number}: {piece}" for line_number, piece in sorted(found)]


def test_the_scan_finds_text_left_out_of_the_translate_tags(tmp_path):
    template = tmp_path / "t.html"
    template.write_text(
        '{% load i18n %}\n<h2>{% translate "Fine" %}</h2> · →\n<p>Left out</p>\n'
        '<img alt="Search"><a title="{% translate \'Fine\' %}"><kbd>Esc</kbd></a>\n'
        '{% comment %}A comment{% endcomment %}<input value="Go there">\n'
        '{{ who|default:"a command" }} {{ who|default:_("a command") }} {{ when|date:"Y-m-d" }}\n'
    )
    assert untranslated(template, tmp_path) == [
        "t.html:3: Left out",
        "t.html:4: alt='Search'",
        "t.html:5: value='Go there'",
        't.html:6: {{ who|default:"a command" }}',
    ]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_text_of_the_template_is_marked_for_translation(template):
    assert untranslated(template) == []


def catalogue_entries(path: Path) -> list[tuple[str, list[str], bool, list[str]]]:
    """Each message of a .po file as (msgid, its msgstr forms, whether it is fuzzy, the files it is from); the
    header left out."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        references = [line[3:].split() for line in lines if line.startswith("#: ")]
        files = [reference.rsplit(":", 1)[0] for line in references for reference in line]
        fields: dict[str, str] = {}
        key = ""
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            if line.startswith('"'):
                fields[key] += line[1:-1]
            else:
                key, _, value = line.partition(" ")
                fields[key] = value[1:-1]
        if fields.get("msgid"):
            forms = [value for name, value in fields.items() if name.startswith("msgstr")]
            entries.append((fields["msgid"], forms, fuzzy, files))
    return entries


def test_the_project_catalogue_translates_every_message_and_nothing_is_fuzzy():
    entries = catalogue_entries(CATALOGUE)
    assert [msgid for msgid, _forms, fuzzy, _files in entries if fuzzy] == []
    assert [msgid for msgid, forms, _fuzzy, _files in entries if not all(forms)] == []
    assert len(entries) > 100


def marked_messages(path: Path) -> set[str]:
    """The msgids of the template's translate tags, as makemessages reads them (through Django's templatize)."""
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    found = set()
    for function, arguments in re.findall(r"\b(n?p?gettext)\(((?:u'(?:[^'\\]|\\.)*'(?:, )?)+)", code):
        strings = [ast.literal_eval(string) for string in re.findall(r"u'(?:[^'\\]|\\.)*'", arguments)]
        found.add(strings[1] if function.endswith("pgettext") else strings[0])
    return found


def test_every_marked_text_of_the_templates_is_in_the_catalogue():
    """A template's new text stays English until `make template-messages` puts it in the catalogue."""
    catalogue = {msgid.replace('\\"', '"') for msgid, _forms, _fuzzy, _files in catalogue_entries(CATALOGUE)}
    marked = [(path.relative_to(ROOT), msgid) for path in TEMPLATES for msgid in marked_messages(path)]
    assert sorted(f"{path}: {msgid}" for path, msgid in marked if msgid not in catalogue) == []
    assert "Keyboard shortcuts" in marked_messages(ROOT / "templates" / "reviews" / "review.html")


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (apt: gettext) is not installed")
def test_the_compiled_catalogue_is_the_committed_one(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(CATALOGUE)], check=True)
    assert compiled.read_bytes() == CATALOGUE.with_suffix(".mo").read_bytes(), "run manage.py compilemessages"


# --- the screens in Chinese -------------------------------------------------------------------------------------

CHINESE = {"accept-language": "zh-CN,zh;q=0.9,en;q=0.5"}


def english_of_our_templates(templates: set[str]) -> set[str]:
    """The English of these templates: each of their catalogue messages cut at its placeholders and markup, the
    pieces of two words or more (a lone word such as "Review" could be a record's own)."""
    pieces = set()
    for msgid, _forms, _fuzzy, files in catalogue_entries(CATALOGUE):
        if not templates.intersection(files):
            continue
        for piece in re.split(r"%\(\w+\)s|<[^>]*>", msgid.replace('\\"', '"')):
            piece = piece.strip(" .,:;?()")
            if len(re.findall(r"[A-Za-z]+", piece)) >= 2:
                pieces.add(piece)
    return pieces


def leftover_english(response) -> list[str]:
    """The English of the templates that rendered the page, left on it. The apps' own strings (page titles, state
    names, checks' messages) are their catalogues' to translate, and their tests'."""
    assert response["Content-Language"] == "zh-hans"
    rendered = {
        str(Path(template.origin.name).relative_to(ROOT))
        for template in response.templates
        if template.origin.name and Path(template.origin.name).is_relative_to(ROOT)
    }
    assert rendered, "the test client saw no template of ours render the page"
    text = re.sub(r"\s+", " ", strip_tags(response.content.decode()))
    return sorted(piece for piece in english_of_our_templates(rendered) if piece in text)


@pytest.fixture
def desk(db, client, editor, reviewer):
    """A record sent back with a comment and then edited, one approved and edited since (with a warning), and one
    waiting: the screens then show their sent-back notes, changes, warnings and trails."""
    sent_back = make_policy_without_warnings(policy_id="cn-sent-back", user=editor)
    workflow.request_changes(sent_back, user=reviewer, comment="请核对引用的决定编号。")
    edited = make_policy_without_warnings(policy_id="cn-edited", user=editor, related_facilities=["1103", "1103"])
    approve(edited, reviewer)
    edit(edited, user=editor, title="修订后的标题")
    waiting = make_policy_without_warnings(policy_id="cn-waiting", user=editor)
    return {"sent_back": sent_back, "edited": edited, "waiting": waiting}


def test_the_review_screen_speaks_chinese_to_a_chinese_browser(client, reviewer, desk):
    client.force_login(reviewer)
    response = client.get(reverse("admin:policies_policy_review", args=[desk["edited"].pk]), headers=CHINESE)
    html = response.content.decode()
    assert leftover_english(response) == []
    for chinese in ("审核决定", "全部确认", "批准", "要求修改", "驳回", "快捷键", "确认全部维度", "审核队列"):
        assert chinese in html, chinese
    assert "警告：批准前请核对以下内容" in html and "修改对比的是版本" in html


@pytest.mark.parametrize(
    "screen",
    [
        *("index", "list", "change", "sent_back", "queue", "bulk_approval", "history", "version", "restore"),
        *("import", "export", "400", "403", "404"),
    ],
)
def test_no_screen_shows_english_of_our_templates_to_a_chinese_browser(screen, client, editor, reviewer, desk):
    edited = desk["edited"]
    user = editor if screen in ("sent_back", "restore", "import") else reviewer
    if screen == "403":
        user = make_user("stan")
    client.force_login(user)
    first = edited.history.earliest()
    get = {
        "index": lambda: reverse("admin:index"),
        "list": lambda: reverse("admin:policies_policy_changelist"),
        "change": lambda: reverse("admin:policies_policy_change", args=[edited.pk]),
        "sent_back": lambda: reverse("admin:policies_policy_change", args=[desk["sent_back"].pk]),
        "queue": lambda: reverse("admin:policies_policy_review_queue"),
        "history": lambda: reverse("admin:policies_policy_history", args=[edited.pk]),
        "version": lambda: reverse("admin:policies_policy_simple_history", args=[edited.pk, first.history_id]),
        "restore": lambda: reverse("admin:policies_policy_restore", args=[edited.pk, first.history_id]),
        "import": lambda: reverse("admin:policies_policy_import"),
        "export": lambda: reverse("admin:policies_policy_export"),
        "400": lambda: reverse("admin:policies_policy_changelist") + "?title__regex=x",
        "403": lambda: reverse("admin:policies_policy_changelist"),
        "404": lambda: "/no-such-page/",
    }
    if screen == "bulk_approval":
        response = client.post(
            reverse("admin:policies_policy_changelist"),
            {"action": "approve_selected", "_selected_action": [p.pk for p in desk.values()]},
            headers=CHINESE,
        )
    else:
        response = client.get(get[screen](), headers=CHINESE)
    assert response.status_code == {"400": 400, "403": 403, "404": 404}.get(screen, 200)
    assert leftover_english(response) == []


@pytest.mark.urls("tests.test_error_pages")
def test_the_500_page_speaks_chinese_to_a_chinese_browser(reviewer):
    client = Client(raise_request_exception=False)
    client.force_login(reviewer)
    response = client.get("/fail/", headers=CHINESE)
    assert response.status_code == 500
    assert leftover_english(response) == []
    assert "服务器出错，无法显示此页面。" in response.content.decode()
