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

  // --- reviewing claims: a click or j/k on a highlight opens its panel beside the text; c/b/u
  // decide it there (verifier.decide: one decision in flight per panel); the answer repaints the
  // highlight in place.

  var currentId = null;

  function highlights() {
    var body = bodyElement();
    return body ? Array.prototype.slice.call(body.querySelectorAll("[data-claim-id]")) : [];
  }

  function claimPanel() {
    return document.getElementById("claim-panel");
  }

  function openClaim(mark) {
    var panelElt = claimPanel();
    if (!mark || !panelElt || !window.htmx) return;
    currentId = mark.getAttribute("data-claim-id");
    highlights().forEach(function (h) {
      h.classList.toggle("is-current", h === mark);
    });
    mark.scrollIntoView({ block: "nearest" });
    window.htmx.ajax("GET", mark.getAttribute("data-panel-url"), { source: panelElt, target: panelElt, swap: "innerHTML" });
  }

  function paint(claimId, shown, label) {
    highlights().forEach(function (h) {
      if (h.getAttribute("data-claim-id") !== String(claimId)) return;
      h.className = h.className.replace(/\bhl-[a-z_]+/g, "").trim() + " hl-" + shown;
      h.title = label + h.title.replace(/^[^·]*/, " ");
    });
    var badge = document.querySelector('[data-list-status="' + claimId + '"]');
    if (badge) {
      badge.className = "badge badge-" + shown;
      badge.textContent = label;
    }
  }

  document.addEventListener("click", function (event) {
    var mark = event.target.closest && event.target.closest("[data-article-body] [data-claim-id]");
    if (!mark || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    var selection = window.getSelection();
    if (selection && !selection.isCollapsed && selection.toString().trim()) return; // selecting text to add a claim
    event.preventDefault();
    openClaim(mark);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var panelElt = claimPanel();
    if (!panelElt || event.detail.target !== panelElt) return;
    var inner = panelElt.querySelector("[data-panel]");
    if (inner) paint(inner.getAttribute("data-claim-id"), inner.getAttribute("data-shown"), inner.getAttribute("data-label"));
  });

  document.addEventListener("verifier:live-change", function (event) {
    var change = event.detail;
    if (change.kind !== "decision") return;
    paint(change.claimId, change.status, change.label);
    var inner = document.querySelector("#claim-panel [data-panel]");
    if (inner && inner.getAttribute("data-claim-id") === String(change.claimId)) {
      var notice = inner.querySelector("[data-panel-notice]");
      if (notice) notice.textContent = change.text;
      var badge = inner.querySelector("[data-panel-status]");
      if (badge) {
        badge.className = "badge badge-" + change.status;
        badge.textContent = change.label;
      }
    }
  });

  function isTyping(el) {
    if (!el || !el.tagName) return false;
    var tag = el.tagName.toLowerCase();
    if (el.isContentEditable || tag === "textarea" || tag === "select") return true;
    if (tag !== "input") return false;
    var type = (el.getAttribute("type") || "text").toLowerCase();
    return ["checkbox", "radio", "button", "submit", "reset"].indexOf(type) < 0;
  }


  document.addEventListener("keydown", function (event) {
    if (!bodyElement() || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    var key = event.key;
    if (key === "j" || key === "k") {
      var all = highlights();
      if (!all.length) return;
      event.preventDefault();
      var index = -1;
      all.forEach(function (h, i) {
        if (h.getAttribute("data-claim-id") === currentId) index = i;
      });
      var next = index < 0 ? (key === "j" ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + (key === "j" ? 1 : -1)));
      openClaim(all[next]);
    } else if (window.verifier.statusForKey && window.verifier.statusForKey(document.querySelector("#claim-panel form.decide"), key)) {
      var form = document.querySelector("#claim-panel [data-panel] form.decide");
      var inner = document.querySelector("#claim-panel [data-panel]");
      if (!form || !inner || inner.getAttribute("data-claim-id") !== currentId || !window.verifier.decide) return;
      event.preventDefault();
      if (!event.repeat) window.verifier.decide(form, window.verifier.statusForKey(form, key));
    } else if (key === "n") {
      var note = document.querySelector("#claim-panel input.note");
      if (note) {
        event.preventDefault();
        note.focus();
      }
    }
  });

  window.verifier = window.verifier || {};
  window.verifier.readerSelection = currentSelection;
})();
