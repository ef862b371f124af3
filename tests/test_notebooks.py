"""Every chapter listed in _toc.yml runs top to bottom as a notebook, outside the book build."""

from pathlib import Path

import jupytext
import nbclient
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
    errors = [
        output for cell in notebook.cells if cell.cell_type == "code"
        for output in cell.get("outputs", []) if output.get("output_type") == "error"
    ]
    assert not errors
    after = files_under(path.parent)
    assert {f for f in after if after[f] != before.get(f)} == set(), "the chapter wrote into book/"
