"""The checkers of the built book find what they look for: planted faults are caught, clean pages pass.

These run without a build: they feed small HTML snippets to the same functions that
tests/test_book.py applies to every page of the built book.
"""

import pytest
from book_build import leftover_markup, prose_text

PLANTED = {
    "directive fence": "```{prf:proof} (of Theorem 4) In five steps.",
    "role": "as {prf:ref}`Theorem 1 <iiv-thm-1>` shows",
    "directive option": ":label: poor-models-thm-3\nLet the model be",
    "dollar math": "the gap $|p(A) - q(A)|$ is small",
    "TeX command": "where \\frac{1}{C} is the slack",
}


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_planted_markup_in_prose_is_found(kind):
    """Each kind of leftover markup, in a paragraph, is reported under its kind."""
    page = f"<html><body><p>Before.</p><p>{PLANTED[kind]}</p></body></html>"
    found = leftover_markup(page)
    assert found and all(item.startswith(kind + ":") for item in found), found


@pytest.mark.parametrize("kind", sorted(PLANTED))
@pytest.mark.parametrize("wrapper", [
    "<pre>{}</pre>", "<code>{}</code>", '<span class="math notranslate nohighlight">{}</span>',
    '<div class="highlight"><pre><span>{}</span></pre></div>', "<script>var s = `{}`;</script>",
    '<div class="cell_output"><div class="output stream"><span>{}</span></div></div>',
])
def test_markup_in_code_outputs_and_formulas_is_not_prose(kind, wrapper):
    """The same text inside code, a printed output, a formula or a script is left alone."""
    page = "<html><body><p>Before.</p>" + wrapper.format(PLANTED[kind]) + "<p>After.</p></body></html>"
    assert leftover_markup(page) == []


def test_clean_prose_passes_and_nesting_is_tracked():
    """Prose with formulas, code and void elements inside passes; text after a closed <pre> counts."""
    page = (
        "<p>The bound <span class='math'>\\(\\err \\ge 2\\erriiv\\)</span> holds,<br> see "
        "<code>hp.theorem1_bound</code> and <img src='x.png'> Figure 1.</p>"
        "<pre>{prf:ref}`x`</pre><p>Then {cite}`kalai2025why` is raw.</p>"
    )
    assert prose_text(page).startswith("\nThe bound  holds,\n see  and  Figure 1.\n")
    assert [item.split(":")[0] for item in leftover_markup(page)] == ["role"]
