// The article reader: selecting text offers "Add claim" with exact offsets into the article body.
// The body is rendered as one element whose text is exactly Article.body, so an offset is the length
// (in code points, as Python counts) of the text before the selection inside that element.
(function () {
  "use strict";

  function codePoints(text) {
    return Array.from(text).length;
  }

  function bodyElement() {
    return document.querySelector("[data-article-body]");
  }

  function form() {
    return document.querySelector("[data-add-claim]");
  }

  function currentSelection() {
    var body = bodyElement();
    var selection = window.getSelection();
    if (!body || !selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    var range = selection.getRangeAt(0);
    if (!body.contains(range.startContainer) || !body.contains(range.endContainer)) return null;
    var before = document.createRange();
    before.selectNodeContents(body);
    before.setEnd(range.startContainer, range.startOffset);
    var raw = range.toString();
    var text = raw.trim();
    if (!text) return null;
    var lead = raw.length - raw.replace(/^\s+/, "").length;
    var start = codePoints(before.toString()) + codePoints(raw.slice(0, lead));
    return { start: start, end: start + codePoints(text), text: text };
  }

  function fill(chosen) {
    var f = form();
    if (!f || !chosen) return;
    f.querySelector("[data-selection-start]").value = String(chosen.start);
    f.querySelector("[data-selection-end]").value = String(chosen.end);
    f.querySelector("[data-selection-text]").value = chosen.text;
    var preview = f.querySelector("[data-selection-preview]");
    preview.textContent = chosen.text;
    preview.hidden = false;
    var hint = f.querySelector("[data-selection-hint]");
    if (hint) hint.hidden = true;
    f.classList.add("has-selection");
    var jump = document.querySelector("[data-add-claim-jump]");
    if (jump) jump.hidden = false;
  }

  document.addEventListener("click", function (event) {
    var jump = event.target.closest && event.target.closest("[data-add-claim-jump]");
    if (!jump) return;
    event.preventDefault();
    var f = form();
    if (!f) return;
    f.scrollIntoView({ block: "start" });
    var source = f.querySelector('input[name="source_name"]');
    if (source) source.focus({ preventScroll: true });
  });

  var timer = null;
  document.addEventListener("selectionchange", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var chosen = currentSelection();
      if (chosen) fill(chosen);
    }, 80);
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var f = form();
    if (!f || event.detail.elt !== f || !event.detail.successful) return;
    f.reset();
    f.querySelector("[data-selection-text]").value = "";
    var preview = f.querySelector("[data-selection-preview]");
    preview.textContent = "";
    preview.hidden = true;
    var hint = f.querySelector("[data-selection-hint]");
    if (hint) hint.hidden = false;
    f.classList.remove("has-selection");
    var jump = document.querySelector("[data-add-claim-jump]");
    if (jump) jump.hidden = true;
    var selection = window.getSelection();
    if (selection) selection.removeAllRanges();
  });

  window.verifier = window.verifier || {};
  window.verifier.readerSelection = currentSelection;
})();
