"""The built book, shared by the book tests: one build per test session, and the tools they read it with.

``built_book(base)`` builds, once per process, into ``base/book``:

1. the PDF (``jupyter-book build --builder pdflatex``), which executes every chapter; then
2. the HTML (``jupyter-book build``), which reuses those executions from the cache and links the
   PDF (book/_ext/reader_edition.py copies a PDF at least as new as the sources).

Both builds run with ``-W -n --keep-going``: a warning fails the build. The tools the tests need
(xelatex and latexmk, pdftotext, Chromium) must be installed: a missing one is a failure that names
the Debian package (``.ci/run`` installs them all), never a skip.
"""

import base64
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
PDF_NAME = "hallu-proofs.pdf"

DEBIAN_PACKAGES = {
    "xelatex": "texlive-xetex",
    "latexmk": "latexmk",
    "pdftotext": "poppler-utils",
    "pdfimages": "poppler-utils",
    "pdfinfo": "poppler-utils",
    "chromium": "chromium",
}


def tool(name):
    """The path of a command-line tool; a clear failure (not a skip) when it is missing."""
    candidates = [name, "chromium-browser"] if name == "chromium" else [name]
    for candidate in candidates:
        path = shutil.which(candidate)
        if path:
            return path
    raise AssertionError(
        f"{name} is not installed: on Debian, apt-get install {DEBIAN_PACKAGES[name]} "
        "(.ci/run installs every tool the tests need)"
    )


def build(source, out, *options):
    """Run jupyter-book build with warnings as errors; fail with the end of its log."""
    result = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(source), "--path-output", str(out), "-W", "-n",
         "--keep-going", *options],
        capture_output=True, text=True, timeout=3600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    return result


_BUILDS = {}


def built_book(base):
    """Build the PDF, then the HTML, into base/book; return the _build folder.

    Once per process: a failed build is not retried by the next test, which fails with the
    same message. HALLU_BOOK_BUILD=path/_build reads a book built beforehand instead (to rerun
    the book tests while working on them; the build must have been made as above).
    """
    if os.environ.get("HALLU_BOOK_BUILD"):
        return Path(os.environ["HALLU_BOOK_BUILD"])
    if base not in _BUILDS:
        try:
            tool("xelatex"), tool("latexmk")
            out = Path(base) / "book"
            build(ROOT, out, "--builder", "pdflatex")
            build(ROOT, out)
            _BUILDS[base] = out / "_build"
        except AssertionError as failure:
            _BUILDS[base] = failure
    if isinstance(_BUILDS[base], AssertionError):
        raise AssertionError(f"the book build failed (once, for every book test): {_BUILDS[base]}")
    return _BUILDS[base]


def chapter_names():
    """The documents of the table of contents, in order (book/intro, book/notation, ...)."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


# --- markup a reader would see -------------------------------------------------------------------
LEFTOVER_MARKUP = {
    "directive fence": re.compile(r"(```|~~~|:::)\s*\{[\w:.-]+\}"),
    "role": re.compile(r"\{[A-Za-z][\w.:-]*\}`"),
    "directive option": re.compile(r"(^|\n)[ \t]*:(label|class|nonumber|name|tags|dropdown|"
                                   r"figure|caption|width|align|numref|no-index):[ \t]"),
    "dollar math": re.compile(r"\$[^$\s][^$]*\$|\$\$"),
    "TeX command": re.compile(r"\\[A-Za-z]{2,}"),
}

# Elements whose text is not prose: code, outputs printed verbatim, formulas (MathJax reads the
# TeX inside .math), the page's scripts and styles.
NOT_PROSE_TAGS = {"script", "style", "pre", "code", "kbd", "samp", "textarea", "svg", "template"}
NOT_PROSE_CLASSES = {"math", "highlight", "output", "cell_input"}
BLOCK_TAGS = {"p", "div", "section", "article", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3",
              "h4", "h5", "h6", "table", "tr", "td", "th", "blockquote", "figure", "figcaption",
              "br", "hr", "nav", "header", "footer", "aside", "main", "body", "title"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
             "track", "wbr"}


class _ProseText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # one flag per open element: is it (inside) non-prose?
        self.parts = []

    def handle_starttag(self, tag, attrs):
        classes = set((dict(attrs).get("class") or "").split())
        hidden = tag in NOT_PROSE_TAGS or bool(classes & NOT_PROSE_CLASSES)
        if tag in BLOCK_TAGS:
            self.parts.append("\n")  # a new block starts a new line
        if tag not in VOID_TAGS:
            self.stack.append(hidden or (self.stack[-1] if self.stack else False))

    def handle_endtag(self, tag):
        if tag not in VOID_TAGS and self.stack:
            self.stack.pop()
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def prose_text(html):
    """The text of a page that a reader sees as prose (code, outputs and formulas left out)."""
    parser = _ProseText()
    parser.feed(html)
    return "".join(parser.parts)


def leftover_markup(html):
    """Every piece of MyST or TeX source left in the prose of a page, as 'kind: excerpt'."""
    text = prose_text(html)
    found = []
    for kind, pattern in LEFTOVER_MARKUP.items():
        for match in pattern.finditer(text):
            start = max(match.start() - 30, 0)
            found.append(f"{kind}: ...{text[start:match.end() + 30]!r}...")
    return found


# --- layout in headless Chromium -----------------------------------------------------------------
# Chromium is driven over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON messages
# ending in a NUL byte, on the browser's file descriptors 3 and 4), so that the viewport can be a
# phone's (a headless window is at least 500 px wide; Emulation sets any width).
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
    # offline: every host name resolves to nothing and every request goes to a dead proxy
    "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
]


class Browser:
    """One headless Chromium, one tab, driven over the DevTools pipe."""

    def __init__(self, profile):
        self.to_browser_read, self.to_browser = os.pipe()
        self.from_browser, self.from_browser_write = os.pipe()

        def descriptors():  # in the child: the pipe ends become descriptors 3 and 4
            ends = (self.to_browser_read, self.from_browser_write)
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in ends]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.process = subprocess.Popen(
            [tool("chromium"), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
             "--remote-debugging-pipe", "about:blank"],
            preexec_fn=descriptors, close_fds=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(self.to_browser_read)
        os.close(self.from_browser_write)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Runtime.enable", session=True)

    def _message(self, deadline):
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise AssertionError("Chromium did not answer in time")
            ready, _, _ = select.select([self.from_browser], [], [], 1)
            if ready:
                chunk = os.read(self.from_browser, 1 << 20)
                if not chunk:
                    raise AssertionError("Chromium closed the DevTools pipe")
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, session=False, timeout=120, **params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._message(deadline)
            if reply.get("id") == self.next_id:
                assert "error" not in reply, f"{method}: {reply['error']}"
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, event, timeout=120):
        deadline = time.monotonic() + timeout
        while True:
            for index, message in enumerate(self.events):
                if message.get("method") == event:
                    del self.events[: index + 1]
                    return message
            self.events.append(self._message(deadline))

    def open(self, url, width, height=900, scale=1):
        """Load a page in a viewport of that width (a phone's below 800 px: mobile emulation)."""
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=scale, mobile=width < 800)
        self.events.clear()
        self.call("Page.navigate", session=True, url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression, timeout=120):
        result = self.call("Runtime.evaluate", session=True, timeout=timeout, expression=expression,
                           awaitPromise=True, returnByValue=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def screenshot(self, path):
        """The whole page as a PNG."""
        data = self.call("Page.captureScreenshot", session=True, format="png",
                         captureBeyondViewport=True)["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def close(self):
        try:
            self.call("Browser.close", timeout=20)
        except AssertionError:
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self.to_browser)
        os.close(self.from_browser)


# Evaluated in the page once reader.js has checked the formulas (at once on a page without it):
# opens every dropdown, asks reader.js to check again, then measures. A formula is cut off when its
# nearest ancestor (itself included) that does not let content overflow hides it (overflow hidden
# or clip) and the formula sticks out of that ancestor; an ancestor that scrolls shows it all.
LAYOUT_PROBE = r"""
new Promise(function (resolve) {
  function clipper(element) {
    for (var node = element; node && node !== document.documentElement; node = node.parentElement) {
      var overflow = getComputedStyle(node).overflowX;
      if (overflow !== "visible") return {node: node, scrolls: overflow === "auto" || overflow === "scroll"};
    }
    return null;
  }
  function where(element) {
    var box = element.closest(".admonition") || element.closest("section");
    var title = box && (box.querySelector(".admonition-title") || box.querySelector("h1, h2, h3"));
    return title ? title.textContent.trim().slice(0, 60) : "";
  }
  function measure() {
    document.querySelectorAll(".toggle-hidden").forEach(function (e) {
      e.classList.remove("toggle-hidden");
    });
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
    if (window.readerMarkWideFormulas) window.readerMarkWideFormulas();
    var report = {width: window.innerWidth, formulas: 0, cut: [],
                  errors: document.querySelectorAll("mjx-merror").length,
                  pageWidth: document.documentElement.scrollWidth,
                  readerMath: document.documentElement.dataset.readerMath || null,
                  scrollingInputs: 0, scrollingOutputs: 0, codeBlocks: 0, outputBlocks: 0};
    document.querySelectorAll("mjx-container").forEach(function (math) {
      report.formulas += 1;
      var rect = math.getBoundingClientRect();
      if (rect.width === 0 || getComputedStyle(math).visibility === "hidden") return;
      var clip = clipper(math);
      if (clip && clip.scrolls) return;
      var box = clip ? clip.node.getBoundingClientRect() : {left: 0, right: window.innerWidth};
      if (rect.right > box.right + 1 || rect.left < box.left - 1) {
        report.cut.push({where: where(math), text: math.textContent.slice(0, 80),
                         overBy: Math.round(Math.max(rect.right - box.right, box.left - rect.left))});
      }
    });
    document.querySelectorAll("div.cell_input pre").forEach(function (pre) {
      report.codeBlocks += 1;
      if (pre.scrollWidth > pre.clientWidth + 1) report.scrollingInputs += 1;
    });
    document.querySelectorAll("div.cell_output pre").forEach(function (pre) {
      report.outputBlocks += 1;
      if (pre.scrollWidth > pre.clientWidth + 1) report.scrollingOutputs += 1;
    });
    resolve(report);
  }
  var started = Date.now();
  function ready() {
    var waiting = document.querySelector("script[src*='reader.js']")
      && !document.documentElement.dataset.readerMath;
    if (waiting && Date.now() - started < 60000) setTimeout(ready, 100); else setTimeout(measure, 50);
  }
  ready();
})
"""


def layout_report(browser, page, width):
    """Open the page at that viewport width and measure its formulas and code blocks."""
    browser.open(Path(page).as_uri(), width)
    return browser.evaluate(LAYOUT_PROBE)
