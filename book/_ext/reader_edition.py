"""What the book adds to Jupyter Book 1.x for its readers (a local Sphinx extension).

* Every chapter page offers its executed notebook (``.ipynb``, with the outputs of the build;
  figures carry the width the HTML shows them at) in the header's download menu.
  sphinx-book-theme does this only when a launch provider is set, and this book sets none, to
  stay offline.
* The book's PDF (``make pdf``: ``_build/latex/hallu-proofs.pdf`` beside ``_build/html``) is copied
  into the HTML and linked from the download menu and the sidebar, but only when it is at least
  as new as every source of the book; otherwise there is no link (and no stale copy).
* Figures of code cells are shown at their size at 100 dpi whatever dpi they were drawn at:
  ``book/matplotlibrc`` draws them at 200 dpi, so they are sharp on high-density screens.
* The LaTeX preamble defines the MathJax macros of ``_config.yml`` (one list for both builders).
* In LaTeX, a ``\\tag`` inside a ``$$`` block is moved out of the ``split`` environment that
  Sphinx wraps the block in (amsmath forbids it there).
* In LaTeX, an exercise can be linked from another page (sphinx-exercise labels it for its own).
* Bibliography labels are author-year ('Kalai et al., 2025'; 2025a, 2025b when two would be the
  same), and citations in the text print these labels (bibtex_reference_style: label).
"""

import base64
import re
import shutil
import struct
from collections import Counter
from pathlib import Path
from string import ascii_lowercase

import nbformat
from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

PDF_NAME = "hallu-proofs.pdf"
TAG = re.compile(r"\\tag\*?\{([^{}]*)\}")


# --- notebooks ------------------------------------------------------------------------------------
def executed_notebook(app, pagename):
    """The notebook myst-nb executed for this page, or None (a page without code)."""
    path = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    return path if path.is_file() else None


def offer_notebook(app, pagename, templatename, context, doctree):
    """Copy the executed notebook next to the page's source and let the theme link it."""
    notebook = executed_notebook(app, pagename)
    if notebook is None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    content = with_cached_outputs(app, nbformat.read(notebook, as_version=4))
    for cell in content.cells:
        for output in cell.get("outputs", []):
            size_figure_output(output)
    nbformat.write(content, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def with_cached_outputs(app, notebook):
    """The notebook with the outputs of its execution.

    myst-nb writes jupyter_execute/<page>.ipynb with outputs when it executes the page, but
    without them when it takes the execution from its cache (it merges the cached outputs into a
    copy); the cache gives them back for the same cells.
    """
    config = app.env.mystnb_config
    if config.execution_mode != "cache":
        return notebook
    from jupyter_cache import get_cache

    try:
        return get_cache(config.execution_cache_path).merge_match_into_notebook(notebook)[1]
    except KeyError:  # not in the cache: keep what was written
        return notebook


def size_figure_output(output):
    """Give a PNG output drawn above 100 dpi the width it has at 100 dpi (as the HTML shows it)."""
    data = output.get("data", {}).get("image/png")
    metadata = output.setdefault("metadata", {}) if data else {}
    if not data or "width" in metadata.get("image/png", {}):
        return
    size, dpi = png_size_and_dpi(base64.b64decode(data))
    if size and dpi and dpi > 100.5:
        metadata.setdefault("image/png", {})["width"] = round(size[0] * 100 / dpi)


# --- the PDF ---------------------------------------------------------------------------------------
def book_sources(app):
    """Every file the PDF is made from: chapters, bibliography, configuration, table of contents."""
    root = Path(app.confdir)
    yield from (root / "book").glob("*.md")
    yield from (root / "book").glob("*.bib")
    yield from (root / name for name in ("_config.yml", "_toc.yml"))


def fresh_pdf(app):
    """The built PDF, if it exists and is at least as new as every source; else None."""
    pdf = Path(app.outdir).parent / "latex" / PDF_NAME
    if not pdf.is_file():
        return None
    newest = max(path.stat().st_mtime for path in book_sources(app) if path.is_file())
    if pdf.stat().st_mtime < newest:
        logger.info(f"[reader_edition] {pdf} is older than the sources: not linked (run make pdf)")
        return None
    return pdf


def copy_pdf(app):
    """At the start of an HTML build, put the fresh PDF into the output, or remove a stale copy."""
    if app.builder.format != "html":
        return
    target = Path(app.outdir) / PDF_NAME
    pdf = fresh_pdf(app)
    app.env.reader_edition_pdf = pdf is not None
    if pdf is None:
        target.unlink(missing_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(pdf, target)


def pdf_in_sidebar(app, pagename, templatename, context, doctree):
    """Let book/_templates/book-pdf.html link the PDF (set before the theme drops empty sidebar
    templates, which it does by rendering them early)."""
    if getattr(app.env, "reader_edition_pdf", False):
        context["book_pdf"] = context["pathto"](PDF_NAME, 1)


def link_pdf(app, pagename, templatename, context, doctree):
    """Offer the book's PDF in the download menu, after the theme has built the menu (the URL is
    the one `pdf_in_sidebar` set, earlier)."""
    url = context.get("book_pdf")
    if url is None:
        return
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].append({
                "type": "link", "url": url, "text": "book .pdf", "icon": "fas fa-book",
                "tooltip": "The whole book as a PDF", "label": "download-book-pdf-button",
            })


def rename_print_button(app, pagename, templatename, context, doctree):
    """The theme's '.pdf' item prints the page: say so, so that it is not taken for the book."""
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            if button.get("label") == "download-pdf-button":
                button.update(text="print", tooltip="Print this page")


# --- figures ---------------------------------------------------------------------------------------
def png_size_and_dpi(data):
    """(width, height) in pixels and the dots per inch stored in the PNG bytes (None if not stored)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None, None
    width, height = struct.unpack(">II", data[16:24])
    at = data.find(b"pHYs")
    dpi = None
    if at > 0:
        per_unit, _, unit = struct.unpack(">IIB", data[at + 4:at + 13])
        dpi = per_unit * 0.0254 if unit == 1 else None
    return (width, height), dpi


def show_figures_at_100_dpi(app, doctree, docname):
    """Give each code-cell PNG drawn above 100 dpi the display size it would have at 100 dpi."""
    if app.builder.format != "html":
        return
    for image in doctree.findall(nodes.image):
        path = (Path(app.srcdir) / image["uri"].lstrip("/")).resolve()
        if "jupyter_execute" not in path.parts or path.suffix != ".png" or "width" in image:
            continue
        if not path.is_file():
            continue
        size, dpi = png_size_and_dpi(path.read_bytes())
        if size and dpi and dpi > 100.5:
            image["width"] = f"{round(size[0] * 100 / dpi)}px"


# --- LaTeX -----------------------------------------------------------------------------------------
def latex_macros(app, config):
    """Append the MathJax macros of the configuration to the LaTeX preamble."""
    macros = config.mathjax3_config.get("tex", {}).get("macros", {}) if config.mathjax3_config else {}
    lines = [f"\\providecommand{{\\{name}}}{{}}\\renewcommand{{\\{name}}}{{{body}}}"
             for name, body in macros.items()]
    elements = config.latex_elements
    elements["preamble"] = "\n".join(lines) + "\n" + elements.get("preamble", "")


def move_tags_out_of_split(app, doctree, docname):
    """In LaTeX, write a $$ block that carries \\tag{..} as an equation with that tag."""
    if app.builder.format != "latex":
        return
    for block in doctree.findall(nodes.math_block):
        text = block.astext()
        tags = TAG.findall(text)
        if len(tags) != 1 or block.get("nowrap"):
            continue
        body = TAG.sub("", text).strip()
        block.children = [nodes.Text(
            f"\\begin{{equation}}\\begin{{split}}{body}\\end{{split}}\\tag{{{tags[0]}}}\\end{{equation}}"
        )]
        block["nowrap"] = True


def label_exercises_for_other_pages(app):
    """In LaTeX, label each exercise also as docname:label, the name a {ref} from another page
    links to (sphinx-exercise labels it exercise:label only, which serves its own page)."""
    from sphinx.writers.latex import LaTeXTranslator
    from sphinx_exercise import nodes as exercise

    for node_class, visit, depart in [
        (exercise.exercise_node, exercise.visit_exercise_node, exercise.depart_exercise_node),
        (exercise.exercise_enumerable_node, exercise.visit_exercise_enumerable_node,
         exercise.depart_exercise_enumerable_node),
    ]:
        def visit_with_label(self, node, visit=visit):
            if isinstance(self, LaTeXTranslator):
                label = node.attributes["label"]
                docname = self.builder.env.sphinx_exercise_registry[label].get("docname")
                self.body.append(f"\\phantomsection\\label{{\\detokenize{{{docname}:{label}}}}}")
            visit(self, node)

        app.add_node(node_class, override=True, latex=(visit_with_label, depart))


# --- bibliography labels ------------------------------------------------------------------------------
def register_author_year_labels():
    """A pybtex style 'author_year_labels': plain entries, labelled as the text cites them."""
    import pybtex.plugin
    from pybtex.style.formatting.plain import Style as Plain
    from pybtex.style.labels import BaseLabelStyle
    from pybtex.style.sorting import BaseSortingStyle
    from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
        BasicAuthorYearParentheticalReferenceStyle,
    )
    from sphinxcontrib.bibtex.style.template import join, year

    citation = BasicAuthorYearParentheticalReferenceStyle()
    template = join(sep=citation.author_year_sep)[
        citation.person.author_or_editor_or_title(full=False), year
    ]

    def author_year(entry):
        return template.format_data({"entry": entry, "style": citation}).render_as("text")

    class AuthorYearLabels(BaseLabelStyle):
        """'Kalai et al., 2025'; two entries that would share a label get 2025a, 2025b."""

        def format_labels(self, sorted_entries):
            labels = [author_year(entry) for entry in sorted_entries]
            counts, seen = Counter(labels), Counter()
            for label in labels:
                if counts[label] == 1:
                    yield label
                else:
                    seen[label] += 1
                    yield label + ascii_lowercase[seen[label] - 1]

    class ByLabel(BaseSortingStyle):
        """In the order of the labels (then titles), as a reader looks them up."""

        def sorting_key(self, entry):
            return (author_year(entry).lower(), entry.fields.get("title", "").lower())

    class AuthorYearStyle(Plain):
        default_label_style = AuthorYearLabels
        default_sorting_style = ByLabel

    pybtex.plugin.register_plugin(
        "pybtex.style.formatting", "author_year_labels", AuthorYearStyle, force=True
    )


def setup(app):
    register_author_year_labels()
    label_exercises_for_other_pages(app)
    app.connect("config-inited", latex_macros, priority=400)
    app.connect("builder-inited", copy_pdf)
    app.connect("doctree-resolved", show_figures_at_100_dpi)
    app.connect("doctree-resolved", move_tags_out_of_split)
    app.connect("html-page-context", offer_notebook, priority=500)
    app.connect("html-page-context", pdf_in_sidebar, priority=400)
    app.connect("html-page-context", link_pdf, priority=502)
    app.connect("html-page-context", rename_print_button, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
