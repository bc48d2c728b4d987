// The triage queue's keyboard and selection: j/k move, c/b/u decide the selected claim, n note,
// e evidence, x tick for a bulk decision, / search, ? shortcuts, o/Enter open. Rows carry no
// controls: the decide panel (one per page) decides the selected row, through verifier.decide, with
// the row's data-version. Keys and buttons take that one path; a second decision while one is in
// flight is refused, and a key held down (auto-repeat) is not a second intent.
(function () {
  "use strict";

  var selectedId = null; // claim id of the selected row
  var advanceAfter = null; // claim id whose decision, once recorded, moves the selection on
  var lastChecked = null; // for shift-click ranges


  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue-body > tr.row"));
  }

  function rowOf(id) {
    return id === null ? null : document.getElementById("claim-" + id);
  }

  function idOf(row) {
    return row.id.slice("claim-".length);
  }

  function panel() {
    return document.getElementById("decide-panel");
  }

  function shownStatus(row) {
    return row.getAttribute("data-version") === "0" ? "undecided" : row.getAttribute("data-status");
  }

  function showInPanel(row) {
    var p = panel();
    if (!p) return;
    var out = p.querySelector("[data-panel-claim]");
    if (!row) {
      out.textContent = "Select a claim: j/k or a click.";
      p.removeAttribute("data-claim-id");
      return;
    }
    var sentence = row.querySelector(".sentence");
    var text = sentence ? sentence.textContent.trim() : "";
    if (text.length > 140) text = text.slice(0, 139) + "…";
    var badge = row.querySelector(".col-status .badge");
    out.textContent = "Claim " + idOf(row) + " (" + (badge ? badge.textContent.trim() : "") + "): " + text;
    p.setAttribute("data-claim-id", idOf(row));
    p.querySelectorAll('button[name="status"]').forEach(function (button) {
      button.classList.toggle("is-current", button.value === shownStatus(row));
    });
  }

  function mark(row) {
    rows().forEach(function (r) {
      if (r !== row) {
        r.classList.remove("is-selected");
        r.removeAttribute("aria-current");
      }
    });
    if (row) {
      row.classList.add("is-selected");
      row.setAttribute("aria-current", "true");
    }
    showInPanel(row);
  }

  function select(row, focus) {
    if (!row) return;
    selectedId = idOf(row);
    mark(row);
    if (focus !== false) {
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function move(delta) {
    var all = rows();
    if (!all.length) return;
    var current = rowOf(selectedId);
    var index = current ? all.indexOf(current) : -1;
    var next = index < 0 ? (delta > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + delta));
    select(all[next]);
    if (index === all.length - 1 && delta > 0) {
      var more = document.querySelector("#load-more a");
      if (more) more.click();
    }
  }

  // Only a row that is in the page and not being swapped can be decided.
  function ready(row) {
    return row && row.isConnected && !row.classList.contains("htmx-swapping") && !row.classList.contains("htmx-settling");
  }

  function decide(status) {
    var row = rowOf(selectedId);
    var p = panel();
    if (!p || !ready(row) || !window.verifier.decide) return;
    var sent = window.verifier.decide(p, status, {
      url: p.getAttribute("data-status-url").replace("/0/", "/" + idOf(row) + "/"),
      target: row,
      version: row.getAttribute("data-version"),
      values: { next: window.location.pathname + window.location.search }
    });
    if (sent) advanceAfter = selectedId;
  }

  function isTyping(el) {
    if (!el || !el.tagName) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select") return true;
    if (tag !== "input") return false;
    var type = (el.getAttribute("type") || "text").toLowerCase();
    return ["checkbox", "radio", "button", "submit", "reset"].indexOf(type) < 0;
  }

  function updateBulkCount() {
    var n = document.querySelectorAll('#queue-body input[name="ids"]:checked').length;
    var out = document.querySelector("[data-bulk-count]");
    if (out) out.textContent = String(n);
    var bar = document.querySelector("[data-bulkbar]");
    if (bar) bar.classList.toggle("has-selection", n > 0);
  }

  function openShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }

  function focusField(selector) {
    var p = panel();
    var field = p && p.querySelector(selector);
    if (!field) return false;
    field.focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("queue-body")) return;
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (isTyping(target)) {
      if (event.key === "Escape") {
        target.blur();
        var back = rowOf(selectedId);
        if (back) back.focus({ preventScroll: true });
      }
      return;
    }
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open) return; // Escape closes it natively
    var key = event.key;
    var onRow = target.classList && target.classList.contains("row");
    if (key === "j" || (key === "ArrowDown" && onRow)) {
      event.preventDefault();
      move(1);
    } else if (key === "k" || (key === "ArrowUp" && onRow)) {
      event.preventDefault();
      move(-1);
    } else if (window.verifier.statusForKey && window.verifier.statusForKey(panel(), key)) {
      event.preventDefault();
      if (!event.repeat) decide(window.verifier.statusForKey(panel(), key));
    } else if (key === "n" || key === "e") {
      if (rowOf(selectedId) && focusField(key === "n" ? "input.note" : "input.evidence")) event.preventDefault();
    } else if (key === "x") {
      var r = rowOf(selectedId);
      var box = r && r.querySelector('input[name="ids"]');
      if (box) {
        event.preventDefault();
        box.checked = !box.checked;
        lastChecked = box;
        updateBulkCount();
      }
    } else if (key === "/") {
      var search = document.getElementById("filter-q");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    } else if (key === "?") {
      event.preventDefault();
      openShortcuts();
    } else if ((key === "o" || key === "Enter") && onRow) {
      var open = rowOf(selectedId);
      if (open) {
        event.preventDefault();
        window.location.assign(open.querySelector(".sentence").getAttribute("href"));
      }
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest && target.closest("[data-shortcuts-open]")) {
      openShortcuts();
      return;
    }
    if (target.matches && target.matches("[data-select-all]")) {
      document.querySelectorAll('#queue-body input[name="ids"]').forEach(function (box) {
        box.checked = target.checked;
      });
      updateBulkCount();
      return;
    }
    if (target.matches && target.matches('#queue-body input[name="ids"]')) {
      var boxes = Array.prototype.slice.call(document.querySelectorAll('#queue-body input[name="ids"]'));
      if (event.shiftKey && lastChecked && lastChecked !== target && boxes.indexOf(lastChecked) >= 0) {
        var a = boxes.indexOf(lastChecked),
          b = boxes.indexOf(target);
        boxes.slice(Math.min(a, b), Math.max(a, b) + 1).forEach(function (box) {
          box.checked = target.checked;
        });
      }
      lastChecked = target;
      updateBulkCount();
    }
    var row = target.closest && target.closest("#queue-body > tr.row");
    if (row) select(row, false);
  });

  // The panel's answer: recorded moves the selection on and clears the note; unchanged or a
  // conflict keeps the selection and what was typed (the conflict row shows both notes).
  document.addEventListener("htmx:afterRequest", function (event) {
    var p = panel();
    var elt = event.detail.elt;
    if (p && elt === p) {
      var xhr = event.detail.xhr;
      var outcome = xhr ? xhr.getResponseHeader("X-Verifier-Decision") : "";
      var decided = advanceAfter;
      advanceAfter = null;
      if (outcome === "recorded") {
        p.querySelector("input.note").value = "";
        p.querySelector("input.evidence").value = "";
        var all = rows();
        var index = all.indexOf(rowOf(decided));
        if (index >= 0 && String(selectedId) === String(decided)) select(all[Math.min(all.length - 1, index + 1)]);
      } else if (decided && String(selectedId) === String(decided)) {
        select(rowOf(decided));
      }
    }
    if (elt && elt.id === "bulk-form" && event.detail.successful) {
      var selectAll = document.querySelector("[data-select-all]");
      if (selectAll) selectAll.checked = false;
      updateBulkCount();
    }
  });

  // Any swap (a decision, a live update, load more, a filter): keep the selection on its row. (Focus
  // needs no help: htmx gives it back to the element with the focused one's id, the row or a button.)
  document.addEventListener("htmx:afterSettle", function () {
    var current = rowOf(selectedId);
    if (current) {
      mark(current);
    } else if (selectedId !== null) {
      selectedId = null;
      mark(null);
    }
    updateBulkCount();
  });

  function init() {
    var p = panel();
    if (p) p.hidden = false;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();

  window.verifier = window.verifier || {};
  window.verifier.queue = { select: select, move: move, decide: decide };
})();
