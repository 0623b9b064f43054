"""The text state of the live window: typing, deleting, moving, pasting and the history."""

from __future__ import annotations

from visualizer.app.editor import Editor


def typed(text: str) -> Editor:
    editor = Editor()
    for ch in text:
        editor.insert(ch)
    return editor


def test_typing_inserts_at_the_cursor() -> None:
    editor = typed("helo")
    editor.left()
    assert editor.insert("l") is True

    assert editor.text == "hello"
    assert editor.cursor == 4


def test_backspace_and_delete_report_whether_the_text_changed() -> None:
    editor = typed("ab")
    assert editor.delete() is False
    assert editor.backspace() is True
    assert editor.text == "a"

    editor.home()
    assert editor.backspace() is False
    assert editor.delete() is True
    assert (editor.text, editor.cursor) == ("", 0)


def test_backspace_removes_a_whole_emoji_or_accented_letter() -> None:
    editor = typed("ok 👍🏽 e\u0301")
    editor.backspace()
    assert editor.text == "ok 👍🏽 "

    editor.backspace()
    editor.backspace()
    assert editor.text == "ok "


def test_arrows_step_over_graphemes_and_words() -> None:
    editor = typed("one two 👍🏽")
    editor.left()
    assert editor.cursor == len("one two ")

    editor.left(word=True)
    assert editor.cursor == len("one ")
    editor.right(word=True)
    assert editor.cursor == len("one two")


def test_ctrl_backspace_deletes_the_word_before_the_cursor() -> None:
    editor = typed("the quick brown fox  ")
    assert editor.backspace_word() is True
    assert editor.text == "the quick brown "

    editor.home()
    editor.right(word=True)
    assert editor.delete_word() is True
    assert editor.text == "the brown "


def test_paste_makes_one_line_and_says_so() -> None:
    editor = typed("a ")
    editor.paste("line one\r\nline two\tend")

    assert editor.text == "a line one line two end"
    assert "line breaks" in editor.take_note()
    assert editor.take_note() == ""


def test_a_large_paste_keeps_the_end_and_leaves_a_note() -> None:
    editor = Editor(max_chars=100)
    editor.paste("x" * 250 + "THE END")

    assert len(editor.text) == 100
    assert editor.text.endswith("THE END")
    assert editor.cursor == 100
    note = editor.take_note()
    assert "257" in note and "last 100" in note


def test_clear_empties_the_line_but_keeps_the_history() -> None:
    editor = typed("first")
    editor.submit()
    editor.insert("second")

    assert editor.clear() is True
    assert editor.text == ""
    assert editor.history == ["first"]


def test_enter_keeps_lines_and_up_down_recall_them_and_the_draft() -> None:
    editor = Editor()
    for line in ("alpha", "beta", "   "):
        editor.insert(line)
        editor.submit()
    assert editor.history == ["alpha", "beta"]

    editor.insert("draft")
    assert editor.recall_previous() and editor.text == "beta"
    assert editor.recall_previous() and editor.text == "alpha"
    assert editor.recall_previous() is False

    assert editor.recall_next() and editor.text == "beta"
    assert editor.recall_next() and editor.text == "draft"
    assert editor.cursor == len("draft")
    assert editor.recall_next() is False


def test_editing_a_recalled_line_makes_it_the_new_draft() -> None:
    editor = Editor(history=["alpha"])
    editor.recall_previous()
    editor.insert("!")

    assert editor.text == "alpha!"
    assert editor.recall_previous() and editor.text == "alpha"
    assert editor.recall_next() and editor.text == "alpha!"


def test_control_characters_are_not_typed() -> None:
    editor = Editor()
    assert editor.insert("\x08\x1b") is False
    assert editor.insert("é\x00") is True
    assert editor.text == "é"
