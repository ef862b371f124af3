"""The built book in headless Chromium, offline, at a phone's width and at a desktop's.

Every formula is typeset by the MathJax the book serves, none is cut off (a formula wider than its
box must be in something that scrolls), code and outputs fit a desktop column, and there is one
search box. Chromium is driven over the DevTools protocol (tests/book_build.py), so that the
viewport can be 390 px wide with mobile emulation.
"""

import re

import pytest
from book_build import Browser, built_book, chapter_names, layout_report

pytestmark = pytest.mark.book

PHONE, DESKTOP = 390, 1400


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    return built_book(tmp_path_factory.getbasetemp()) / "html"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = Browser(tmp_path_factory.mktemp("chromium"))
    yield chromium
    chromium.close()


@pytest.mark.parametrize("name", chapter_names())
def test_every_formula_is_typeset_and_readable_on_a_phone(html, browser, name):
    """At 390 px: every formula rendered, no MathJax error, none cut off, no sideways page."""
    page = html / f"{name}.html"
    formulas = page.read_text().count('class="math notranslate nohighlight"')
    report = layout_report(browser, page, PHONE)
    assert report["width"] == PHONE
    assert report["formulas"] >= formulas, f"{formulas} formulas in the page, {report['formulas']} rendered"
    assert report["errors"] == 0, "MathJax reported an error in a formula"
    assert report["cut"] == [], f"{len(report['cut'])} formulas cut off: {report['cut'][:5]}"
    assert report["pageWidth"] <= PHONE, "the page scrolls sideways"


@pytest.mark.parametrize("name", chapter_names())
def test_formulas_code_and_outputs_fit_on_a_desktop(html, browser, name):
    """At 1400 px: no formula cut off, and no code cell or output needs sideways scrolling."""
    report = layout_report(browser, html / f"{name}.html", DESKTOP)
    assert report["cut"] == [], report["cut"][:5]
    assert report["scrollingInputs"] == 0, (
        f"{report['scrollingInputs']} of {report['codeBlocks']} code cells scroll sideways")
    assert report["scrollingOutputs"] == 0, (
        f"{report['scrollingOutputs']} of {report['outputBlocks']} outputs scroll sideways")


def test_one_search_box(html, browser):
    """The sidebar's search field is the only visible one (the theme's header strip is hidden)."""
    browser.open((html / "book" / "intro.html").as_uri(), DESKTOP)
    visible = browser.evaluate(
        "Array.from(document.querySelectorAll('.search-button-field'))"
        ".filter(e => e.offsetParent !== null).length")
    assert visible == 1


PLANTED = """<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width">{styles}
</head><body><div class="admonition" style="width: 200px; overflow: hidden; padding: 0 10px">
<p>The statement: <mjx-container jax="CHTML"><span style="display: inline-block; width: 400px">
a formula twice as wide as its box</span></mjx-container> ends here.</p></div>{scripts}</body></html>"""


@pytest.mark.parametrize("with_reader_files", [False, True])
def test_the_probe_finds_a_cut_formula_and_reader_files_mend_it(html, browser, with_reader_files):
    """A formula twice as wide as its clipping box is reported cut off, unless the book's
    reader.css and reader.js are loaded: then it gets a scrolling line of its own."""
    styles = '<link rel="stylesheet" href="_static/reader.css">' if with_reader_files else ""
    scripts = '<script src="_static/reader.js"></script>' if with_reader_files else ""
    page = html / f"planted-{with_reader_files}.html"
    page.write_text(PLANTED.format(styles=styles, scripts=scripts))
    try:
        report = layout_report(browser, page, PHONE)
    finally:
        page.unlink()
    if with_reader_files:
        assert report["readerMath"] == "checked" and report["cut"] == []
    else:
        assert len(report["cut"]) == 1 and report["cut"][0]["overBy"] >= 150, report


def test_reader_files_are_in_every_page(html):
    """The phone fixes are loaded by every chapter page."""
    for name in chapter_names():
        page = (html / f"{name}.html").read_text()
        assert re.search(r'href="\.\./_static/reader\.css', page) and re.search(
            r'src="\.\./_static/reader\.js', page), name
