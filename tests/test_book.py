"""The built book: every chapter, no markup left for a reader, offline, downloads, references.

The book is built once per test session (tests/book_build.py: the PDF, then the HTML, both with
warnings as errors). The rendering in a browser is tested in tests/test_render.py, the PDF in
tests/test_pdf.py.
"""

import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from book_build import PDF_NAME, ROOT, build, built_book, chapter_names, leftover_markup

pytestmark = pytest.mark.book


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    return built_book(tmp_path_factory.getbasetemp()) / "html"


def code_cells(name):
    return [cell for cell in jupytext.read(ROOT / f"{name}.md").cells if cell.cell_type == "code"]


def test_book_builds_every_chapter(html):
    """Each chapter of _toc.yml has its HTML page; the front page redirects to the intro."""
    for name in chapter_names():
        assert (html / f"{name}.html").is_file(), name
    assert "book/intro.html" in (html / "index.html").read_text()


@pytest.mark.parametrize("name", chapter_names())
def test_no_markup_left_on_the_page(html, name):
    """No directive fence, role, directive option, $...$ or TeX command in the prose a reader sees."""
    assert leftover_markup((html / f"{name}.html").read_text()) == []


def test_no_page_loads_anything_from_the_network(html):
    """No script, stylesheet, image or font is fetched from another host (no CDN)."""
    remote = re.compile(r"""<(script|link|img|iframe)[^>]+(src|href)=["'](https?:)?//""", re.I)
    fetched = [
        f"{page.relative_to(html)}: {match.group(0)}"
        for page in html.rglob("*.html") for match in remote.finditer(page.read_text())
    ]
    assert fetched == []


def test_mathjax_is_served_by_the_book(html):
    """The pages load MathJax from _static/mathjax, which is in the build."""
    page = (html / "book" / "iiv_reduction.html").read_text()
    assert re.search(r'src="\.\./_static/mathjax/tex-chtml\.js', page)
    assert (html / "_static" / "mathjax" / "tex-chtml.js").is_file()


@pytest.mark.parametrize("name", [name for name in chapter_names() if code_cells(name)])
def test_every_chapter_offers_its_notebook_with_outputs(html, name):
    """The download menu links the chapter's executed notebook: a valid .ipynb, outputs included."""
    page = (html / f"{name}.html").read_text()
    link = f"../_sources/{name}.ipynb"
    assert f'href="{link}"' in page, "no .ipynb in the download menu"
    notebook = nbformat.read(html / "_sources" / f"{name}.ipynb", as_version=4)
    nbformat.validate(notebook)
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [cell.source for cell in cells] == [cell.source for cell in code_cells(name)]
    assert all(cell.execution_count for cell in cells), "a code cell was not executed"
    assert any(cell.outputs for cell in cells), "no outputs in the notebook"


def test_the_book_links_its_pdf(html, tmp_path_factory):
    """Every page links the PDF of the same build, from the download menu and the sidebar."""
    pdf = html / PDF_NAME
    built = html.parent / "latex" / PDF_NAME
    assert pdf.read_bytes() == built.read_bytes()
    for name in chapter_names():
        page = (html / f"{name}.html").read_text()
        assert page.count(f'href="../{PDF_NAME}"') == 2, name  # menu and sidebar
    assert "window.print()" in page and ">print<" in page  # the print item says what it does


def test_figures_are_sharp_on_high_density_screens(html):
    """Every figure of a code cell has at least twice as many pixels as the CSS pixels it fills."""
    figures = 0
    for name in chapter_names():
        page = (html / f"{name}.html").read_text()
        for tag in re.findall(r'<img [^>]*src="\.\./_images/[^"]+\.png"[^>]*>', page):
            source = re.search(r'src="\.\./(_images/[^"]+)"', tag).group(1)
            pixels = struct.unpack(">I", (html / source).read_bytes()[16:20])[0]
            shown = re.search(r'style="width: (\d+)px;?"', tag)
            assert shown, f"{name}: {source} has no display width"
            assert pixels >= 2 * int(shown.group(1)) - 1, f"{name}: {source}"
            figures += 1
    assert figures >= 10


def test_bibliography_labels_are_the_citations_of_the_text(html):
    """Each in-text citation prints the label of its entry, and labels are unique and author-year."""
    bibliography = (html / "book" / "bibliography.html").read_text()
    entries = dict(re.findall(
        r'<div class="citation" id="([^"]+)"[^>]*>\s*<span class="label"><span class="fn-bracket">\[</span>'
        r'(?:<a[^>]*>)?([^<]+)', bibliography))
    labels = list(entries.values())
    assert len(labels) >= 5 and len(set(labels)) == len(labels), labels
    assert all(re.fullmatch(r"[^,]+, \d{4}[a-z]?", label) for label in labels), labels
    cited = 0
    for page in (html / "book").glob("*.html"):
        for anchor, text in re.findall(
                r'<a class="reference internal" href="(?:bibliography\.html)?#(id\d+)"[^>]*>([^<]+)</a>',
                page.read_text()):
            if anchor in entries:
                assert text == entries[anchor], f"{page.name}: cites {text!r}, labelled {entries[anchor]!r}"
                cited += 1
    assert cited >= 10


def test_no_empty_index_is_built_or_linked(html):
    """The general index (the book has no index entries) and the proof index are neither built nor linked."""
    assert not (html / "genindex.html").exists() and not (html / "prf-prf.html").exists()
    for page in html.rglob("*.html"):
        assert not re.search(r'href="[^"]*(genindex|prf-prf)\.html', page.read_text()), page.name


def test_pages_have_a_favicon(html):
    """Every page names the book's icon, and the icon is in the build (no 404 for /favicon.ico)."""
    for name in chapter_names():
        assert '<link rel="icon" href="../_static/favicon.svg"/>' in (html / f"{name}.html").read_text()
    assert (html / "_static" / "favicon.svg").read_text().startswith("<svg")


# --- a small book beside the real one --------------------------------------------------------------
def small_book(folder, exclude_notebooks=True):
    """The book's configuration and extension with one small chapter, and that chapter converted
    with jupytext beside it (as the README's jupytext command leaves it)."""
    for name in ["_config.yml", "book/_ext", "book/_static", "book/_templates", "book/_latex",
                 "book/references.bib", "book/matplotlibrc"]:
        source, target = ROOT / name, folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    config = (folder / "_config.yml").read_text()
    assert '"book/*.ipynb"' in config
    if not exclude_notebooks:
        (folder / "_config.yml").write_text(config.replace('"book/*.ipynb", ', ""))
    (folder / "_toc.yml").write_text("format: jb-book\nroot: book/intro\n")
    chapter = (ROOT / "book" / "intro.md").read_text().split("\n---\n", 1)[0] + "\n---\n"
    (folder / "book" / "intro.md").write_text(
        chapter + "\n# A chapter\n\nOne cell.\n\n```{code-cell} ipython3\nprint(1 + 1)\n```\n"
    )
    subprocess.run([str(Path(sys.executable).with_name("jupytext")), "--to", "ipynb",
                    str(folder / "book" / "intro.md")], check=True, capture_output=True)
    assert (folder / "book" / "intro.ipynb").is_file()


def test_a_chapter_converted_to_ipynb_does_not_break_the_build(tmp_path):
    """book/x.ipynb beside book/x.md (jupytext --to ipynb) is excluded; without the exclusion the
    build fails, so the exclusion is what keeps it working. With no PDF built, no page links one."""
    small_book(tmp_path / "src")
    build(tmp_path / "src", tmp_path / "out")
    page = (tmp_path / "out" / "_build" / "html" / "book" / "intro.html").read_text()
    assert PDF_NAME not in page and not (tmp_path / "out" / "_build" / "html" / PDF_NAME).exists()
    assert 'href="../_sources/book/intro.ipynb"' in page

    small_book(tmp_path / "unexcluded", exclude_notebooks=False)
    with pytest.raises(AssertionError, match="multiple files found for the document"):
        build(tmp_path / "unexcluded", tmp_path / "out-unexcluded")


def test_jupyter_lab_opens_chapters_as_notebooks():
    """The README's route: jupyter lab is installed in the environment, with Jupytext's extension."""
    bin_folder = Path(sys.executable).parent
    assert (bin_folder / "jupyter-lab").is_file()
    listing = subprocess.run([str(bin_folder / "jupyter"), "labextension", "list"],
                             capture_output=True, text=True, timeout=300)
    assert re.search(r"jupyterlab-jupytext\b.*enabled", listing.stdout + listing.stderr)
    readme = (ROOT / "README.md").read_text()
    assert "Open With" in readme and "jupytext --to ipynb" in readme
