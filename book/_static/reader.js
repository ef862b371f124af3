// The reader's edition: formulas that fit narrow screens (see reader.css).
// MathJax 3 does not break lines, so an inline formula wider than the line it sits in would run
// out of its box (theorem boxes clip it). Such a formula gets the class reader-wide: a line of its
// own that scrolls sideways. Checked again when the window is resized or a dropdown is opened.
(function () {
  "use strict";

  function contentWidth(element) {
    var style = getComputedStyle(element);
    return element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  }

  function blockParent(element) {
    var parent = element.parentElement;
    while (parent && getComputedStyle(parent).display.indexOf("inline") === 0) {
      parent = parent.parentElement;
    }
    return parent;
  }

  function markWideFormulas() {
    var formulas = document.querySelectorAll('mjx-container[jax="CHTML"]:not([display="true"])');
    formulas.forEach(function (math) { math.classList.remove("reader-wide"); });
    formulas.forEach(function (math) {
      var block = blockParent(math);
      var width = math.getBoundingClientRect().width;
      if (block && width > 0 && width > contentWidth(block) + 0.5) {
        math.classList.add("reader-wide");
      }
    });
    document.documentElement.dataset.readerMath = "checked";
  }

  var pending = null;
  function later(delay) {
    clearTimeout(pending);
    pending = setTimeout(markWideFormulas, delay);
  }

  function start() {
    var mathjax = window.MathJax;
    if (mathjax && mathjax.startup && mathjax.startup.promise) {
      mathjax.startup.promise.then(markWideFormulas);
    } else if (document.querySelector(".math")) {
      setTimeout(start, 50);  // MathJax not loaded yet
    } else {
      markWideFormulas();  // a page without formulas
    }
  }

  window.readerMarkWideFormulas = markWideFormulas;
  window.addEventListener("load", start);
  window.addEventListener("resize", function () { later(150); });
  document.addEventListener("click", function () { later(400); });
})();
