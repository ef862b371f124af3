"""Every chapter listed in _toc.yml runs top to bottom as a notebook, outside the book build, and
gives the same text as the book build's own run of it."""

import re
from pathlib import Path

import jupytext
import nbclient
import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def chapters():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_toc_lists_existing_chapters():
    """Every file named in the table of contents exists."""
    for name in chapters():
        assert (ROOT / f"{name}.md").is_file(), name


#: Sources that only an editor changes (another process may be editing them during the test).
SOURCE_SUFFIXES = {".md", ".py", ".bib", ".yml", ".css", ".js", ".html", ".tex", ".sty", ".txt"}


#: The notebooks executed by test_chapter_executes_as_notebook, for the comparison with the build.
EXECUTED = {}

#: Output types whose text a reader sees (images are compared by nobody: their bytes may differ).
TEXT_TYPES = ("text/plain", "text/markdown", "text/html", "text/latex")

#: Cells that time themselves: their numbers are timings, which two runs do not share.
TIMED = re.compile(r"perf_counter|seconds|\btime\(")
NUMBER = re.compile(r"\d+\.\d+(e-?\d+)?")


def output_texts(notebook):
    """The text of every code cell's outputs, cell by cell; numbers masked in timed cells."""
    texts = []
    for cell in (c for c in notebook.cells if c.cell_type == "code"):
        parts = []  # a stream may arrive in chunks cut anywhere: streams are joined as they are
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output["text"])
            for kind in TEXT_TYPES:
                value = output.get("data", {}).get(kind)
                if value is not None:
                    parts.append(f"\n[{kind}]\n" + ("".join(value) if isinstance(value, list) else value))
        text = "".join(parts)
        texts.append(NUMBER.sub("<number>", text) if TIMED.search(cell.source) else text)
    return texts


def files_under(folder):
    """Every file under ``folder`` but the sources, with its size and modification time."""
    return {str(f.relative_to(folder)): (f.stat().st_size, f.stat().st_mtime_ns)
            for f in folder.rglob("*") if f.is_file() and f.suffix not in SOURCE_SUFFIXES}


@pytest.mark.parametrize("name", chapters())
def test_chapter_executes_as_notebook(name):
    """The chapter's code cells run in a fresh kernel without error, and write nothing into the
    chapter's folder (no Hypothesis database or cache, no data file, no figure)."""
    path = ROOT / f"{name}.md"
    before = files_under(path.parent)
    notebook = jupytext.read(path)
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    EXECUTED[name] = notebook
    errors = [
        output for cell in notebook.cells if cell.cell_type == "code"
        for output in cell.get("outputs", []) if output.get("output_type") == "error"
    ]
    assert not errors
    after = files_under(path.parent)
    assert {f for f in after if after[f] != before.get(f)} == set(), "the chapter wrote into book/"


@pytest.mark.book
@pytest.mark.parametrize("name", chapters())
def test_two_runs_give_the_same_text(name, tmp_path_factory):
    """The run above and the book build's run of the chapter (its .ipynb download, outputs taken
    from the build's execution) print the same text in every cell, timings aside: every random
    search and sampler is seeded or derandomised."""
    from book_build import built_book

    if name not in EXECUTED:
        test_chapter_executes_as_notebook(name)
    built = built_book(tmp_path_factory.getbasetemp()) / "html" / "_sources" / f"{name}.ipynb"
    ours = output_texts(EXECUTED[name])
    if not ours:  # no code cell: the build offers no notebook
        assert not built.exists()
        return
    theirs = output_texts(nbformat.read(str(built), as_version=4))
    assert len(ours) == len(theirs)
    differing = [i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b]
    assert differing == [], f"code cells {differing} print other text in the book build: " + (
        f"{ours[differing[0]][:300]!r} vs {theirs[differing[0]][:300]!r}" if differing else "")


def test_output_texts_masks_timings_only_in_timed_cells():
    """The comparison is not vacuous: a changed number is a difference, except in a cell that
    times itself."""
    def notebook(source, text):
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            source, outputs=[nbformat.v4.new_output("stream", name="stdout", text=text)])])

    assert output_texts(notebook("print(x)", "0.25")) != output_texts(notebook("print(x)", "0.26"))
    chunks = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(x)", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text=part) for part in ("0.", "25")])])
    assert output_texts(chunks) == output_texts(notebook("print(x)", "0.25"))
    timed = "t = time.perf_counter()"
    assert output_texts(notebook(timed, "took 0.25 s")) == output_texts(notebook(timed, "took 0.31 s"))
