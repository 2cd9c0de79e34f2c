from hypothesis import given
from hypothesis import strategies as st

from policies.diffing import compare_lists, diff_html, diff_text, tokenize


@given(st.text())
def test_tokens_join_back_to_the_text(text):
    assert "".join(tokenize(text)) == text


@given(st.text(), st.text())
def test_the_diff_rebuilds_both_versions(old, new):
    chunks = diff_text(old, new)
    assert "".join(c.text for c in chunks if c.kind != "insert") == old
    assert "".join(c.text for c in chunks if c.kind != "delete") == new


def test_chinese_text_is_compared_character_by_character():
    assert tokenize("全球碳汇") == ["全", "球", "碳", "汇"]
    assert diff_html("动态计入期", "静态计入期") == "<del>动</del><ins>静</ins>态计入期"


def test_other_text_is_compared_word_by_word():
    assert diff_html("SBM Removals Standards 2024", "SBM Standards 2025") == (
        "SBM<del> Removals</del> Standards <del>2024</del><ins>2025</ins>"
    )


def test_mixed_text_keeps_words_whole_and_splits_characters():
    assert tokenize("引入 DAC+CCS 技术") == ["引", "入", " ", "DAC+CCS", " ", "技", "术"]


def test_the_diff_escapes_html():
    assert diff_html("<b>a</b>", "<i>a</i>") == "<del>&lt;b&gt;a&lt;/b&gt;</del><ins>&lt;i&gt;a&lt;/i&gt;</ins>"


def test_a_long_text_is_compared_only_where_it_changed():
    text = " ".join(f"word{n}" for n in range(400))
    chunks = diff_text(text, text.replace("word200", "changed"))
    assert [(c.kind, c.text) for c in chunks[1:3]] == [("delete", "word200"), ("insert", "changed")]
    assert "".join(c.text for c in chunks if c.kind != "insert") == text
    assert "".join(c.text for c in chunks if c.kind != "delete") == text.replace("word200", "changed")


@given(st.lists(st.sampled_from("abcdef")), st.lists(st.sampled_from("abcdef")))
def test_a_list_change_accounts_for_every_item(old, new):
    change = compare_lists(old, new)
    assert (change.before, change.after) == (len(old), len(new))
    assert change.before + len(change.added) - len(change.removed) == change.after
    assert sorted([*old, *change.added]) == sorted([*new, *change.removed])


def test_a_long_list_change_names_only_the_items_added_and_removed():
    ids = [str(n) for n in range(1, 1001)]
    change = compare_lists(ids, [n for n in ids if n != "7"] + ["9001"])
    assert (change.before, change.after, change.added, change.removed) == (1000, 1000, ["9001"], ["7"])
    assert not change.reordered
    assert compare_lists(["a", "b"], ["b", "a"]).reordered
    assert not compare_lists(["a"], ["a"])
