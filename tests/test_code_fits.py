"""Code that fits: every line of every code cell of every chapter is at most 88 characters.

88 characters is what the book's code column holds at desktop width (tests/test_render.py checks
the rendered page too); format a chapter's cells with
``jupytext --pipe "ruff format --line-length 88 -" book/x.md``.
"""

import jupytext
import pytest
from book_build import ROOT, chapter_names

LIMIT = 88


def long_lines(path, limit=LIMIT):
    """(cell number, line number, length) of each code line longer than the limit."""
    cells = [cell for cell in jupytext.read(path).cells if cell.cell_type == "code"]
    return [
        (cell_number, line_number, len(line))
        for cell_number, cell in enumerate(cells, 1)
        for line_number, line in enumerate(cell.source.splitlines(), 1)
        if len(line) > limit
    ]


@pytest.mark.parametrize("name", chapter_names())
def test_code_lines_fit(name):
    """No code line of the chapter is longer than 88 characters."""
    assert long_lines(ROOT / f"{name}.md") == []


def test_long_lines_are_found(tmp_path):
    """A planted 89-character line is reported with its cell and line; 88 characters pass."""
    chapter = tmp_path / "x.md"
    chapter.write_text(
        "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
        "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n# X\n\n"
        "```{code-cell} ipython3\nx = 1\n```\n\n"
        "```{code-cell} ipython3\ny = 2\n" + "z = '" + "a" * 82 + "'\n" + "w = '" + "a" * 83 + "'\n```\n"
    )
    assert long_lines(chapter) == [(2, 3, 89)]
