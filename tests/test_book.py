"""The book builds with -W (warnings are errors) and every chapter renders its math offline.

Rendering is checked in headless Chromium with the network cut (every host name resolves to
nothing and every request goes to a dead proxy): MathJax must come from the book itself.
Without Chromium the rendering test is skipped with a message saying how to install it.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_notebooks import ROOT, chapters

pytestmark = pytest.mark.book

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OFFLINE_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
    "--virtual-time-budget=20000",
]


@pytest.fixture(scope="module")
def built_book(tmp_path_factory):
    """Build the whole book once, with warnings as errors, into a temporary folder."""
    out = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"],
        capture_output=True, text=True, timeout=3600,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    return out / "_build" / "html"


def test_book_builds_every_chapter(built_book):
    """Each chapter of _toc.yml has its HTML page; the front page redirects to the intro."""
    for name in chapters():
        assert (built_book / f"{name}.html").is_file(), name
    assert "book/intro.html" in (built_book / "index.html").read_text()


def test_no_page_loads_anything_from_the_network(built_book):
    """No script, stylesheet, image or font is fetched from another host (no CDN)."""
    remote = re.compile(r"""<(script|link|img|iframe)[^>]+(src|href)=["'](https?:)?//""", re.I)
    fetched = [
        f"{page.relative_to(built_book)}: {match.group(0)}"
        for page in built_book.rglob("*.html") for match in remote.finditer(page.read_text())
    ]
    assert fetched == []


def test_mathjax_is_served_by_the_book(built_book):
    """The pages load MathJax from _static/mathjax, which is in the build."""
    page = (built_book / "book" / "iiv_reduction.html").read_text()
    assert re.search(r'src="\.\./_static/mathjax/tex-chtml\.js', page)
    assert (built_book / "_static" / "mathjax" / "tex-chtml.js").is_file()


def render(url, user_data_dir):
    result = subprocess.run(
        [CHROMIUM, *OFFLINE_FLAGS, f"--user-data-dir={user_data_dir}", "--dump-dom", url],
        capture_output=True, text=True, timeout=180,
    )
    return result.stdout


@pytest.mark.parametrize("name", chapters())
def test_chapter_renders_math_offline(built_book, name, tmp_path):
    """Every formula of the page becomes a MathJax element, and none is a MathJax error."""
    if CHROMIUM is None:
        pytest.skip("Chromium not found: install it (Debian: apt-get install chromium) to run this test")
    source = (built_book / f"{name}.html").read_text()
    formulas = source.count('class="math notranslate nohighlight"')
    dom = render((built_book / f"{name}.html").as_uri(), tmp_path / "chromium")
    assert "</html>" in dom, "Chromium returned no page"
    rendered = dom.count("<mjx-container")
    assert rendered >= formulas, f"{formulas} formulas in the page, {rendered} rendered"
    assert "<mjx-merror" not in dom, "MathJax reported an error in a formula"
    assert "Math input error" not in dom
