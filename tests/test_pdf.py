"""The PDF of the book (make pdf: LaTeX from Debian's packages), read back with poppler-utils.

The PDF is built once per session with the HTML (tests/book_build.py). Its text (pdftotext) holds
every chapter title and every theorem-box title of the HTML book, the bibliography's labels and
the equation tags, and no raw markup; the LaTeX log names no missing glyph; it has the figures.
"""

import re
import subprocess
import unicodedata

import pytest
from book_build import PDF_NAME, ROOT, built_book, chapter_names, tool

pytestmark = pytest.mark.book


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    return built_book(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def text(build):
    result = subprocess.run([tool("pdftotext"), str(build / "latex" / PDF_NAME), "-"],
                            capture_output=True, text=True, check=True)
    return plain(result.stdout)


def plain(text):
    """Compatibility forms folded (math italic letters, ligatures) and runs of space made one."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def words(html_fragment):
    """The words of an HTML title, formulas and tags left out."""
    fragment = re.sub(r'<span class="math[^"]*">.*?</span>', " ", html_fragment)
    fragment = re.sub(r"<[^>]+>", " ", fragment)
    return re.findall(r"\w+", plain(fragment.replace("&amp;", "&")))


def printed(title_words, text):
    """Whether these words appear in this order, with only punctuation or space between them."""
    pattern = r"[\W_]*".join(re.escape(word) for word in title_words)
    return re.search(pattern, text) is not None


def html_page(build, name):
    return (build / "html" / f"{name}.html").read_text()


@pytest.mark.parametrize("name", chapter_names())
def test_every_chapter_and_result_title_is_in_the_pdf(build, text, name):
    """The chapter's title and the title of each of its theorem, lemma, definition... boxes.

    The first page (the root of the table of contents) opens the PDF without a title of its own
    (sphinx-jupyterbook-latex: the title page carries the book's): its section titles are there.
    """
    page = html_page(build, name)
    article = page[page.index("<article"):]  # (the print-only header before it repeats the title)
    heading = "h2" if name == chapter_names()[0] else "h1"
    titles = re.findall(rf"<{heading}>(.*?)<a class=\"headerlink\"", article, re.S)
    titles = titles if heading == "h2" else titles[:1]
    titles += re.findall(
        r'<div class="proof (?!proof\b)[^"]*admonition"[^>]*>\s*<p class="admonition-title"[^>]*>(.*?)</p>',
        page, re.S)
    assert titles
    missing = [words(t) for t in titles if not printed(words(t), text)]
    assert missing == []


def test_the_title_page_has_the_books_title(text):
    """The PDF opens with the book's title from _config.yml."""
    title = re.search(r'^title: "(.*)"$', (ROOT / "_config.yml").read_text(), re.M).group(1)
    assert text.startswith(plain(title))


def test_no_raw_markup_or_lost_output_in_the_pdf(text):
    """No MyST directive, prf role or directive option, no output printed as an object's repr.

    (The PDF's text includes the code cells, which may name other roles, e.g. in a docstring;
    tests/test_book.py checks the prose of every page for any role.)
    """
    for raw in ["```{", ":::{", "{prf:", ":label:", ":nonumber:", "IPython.core.display", "<IPython"]:
        assert raw not in text, raw


def test_no_missing_glyphs_and_no_broken_links(build):
    """XeLaTeX had a glyph for every character and a target for every link (its log lists the
    characters it had no glyph for and the references it could not resolve)."""
    log = (build / "latex" / PDF_NAME).with_suffix(".log").read_text(errors="replace")
    assert "Missing character" not in log, re.findall(r"Missing character: .*", log)[:10]
    assert "undefined references" not in log, re.findall(r"reference `[^']*' on page \d+", log)


def test_set_minus_and_equation_tags_print(text):
    """Set differences print the set-minus sign; every \\tag{..} of the sources prints as (..)."""
    sources = "".join((ROOT / f"{name}.md").read_text() for name in chapter_names())
    if "\\setminus" in sources:
        assert "\u2216" in text
    for tag in re.findall(r"\\tag\{([^{}]+)\}", sources):
        assert f"({tag})" in text, tag


def test_bibliography_labels_are_in_the_pdf(build, text):
    """Each label of the HTML bibliography is printed in the PDF, in brackets."""
    labels = re.findall(r'<span class="label"><span class="fn-bracket">\[</span>(?:<a[^>]*>)?([^<]+)',
                        html_page(build, "book/bibliography"))
    assert labels
    assert [label for label in labels if f"[{plain(label)}]" not in text] == []


def test_every_figure_is_in_the_pdf(build):
    """The PDF holds at least as many images as the HTML chapters show figures."""
    figures = sum(len(re.findall(r'<img [^>]*src="\.\./_images/', html_page(build, name)))
                  for name in chapter_names())
    listing = subprocess.run([tool("pdfimages"), "-list", str(build / "latex" / PDF_NAME)],
                             capture_output=True, text=True, check=True).stdout
    images = [line for line in listing.splitlines()[2:] if line.split()[2:3] == ["image"]]
    assert figures >= 10 and len(images) >= figures, (figures, len(images))


def test_pdf_is_a4_with_a_table_of_contents(build, text):
    """A4 pages (595 x 842 pt), and a table of contents before the first part."""
    info = subprocess.run([tool("pdfinfo"), str(build / "latex" / PDF_NAME)],
                          capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    assert text.index("CONTENTS") < text.index("Introduction and notation")
