// The triage queue's keyboard and selection: j/k move, c/b/u decide, n note, x select,
// / search, ? shortcuts, o/Enter open. Decisions go through the row's own buttons (htmx), so the
// keyboard, the mouse and the no-JavaScript form all take the same path to the server.
(function () {
  "use strict";

  var selectedId = null; // claim id of the selected row
  var advanceAfter = null; // claim id whose decision, once saved, moves the selection on
  var lastChecked = null; // for shift-click ranges

  var DECIDE_KEYS = { c: "confirmed", b: "being_clarified", u: "unverified" };

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue-body > tr.row"));
  }

  function rowOf(id) {
    return id === null ? null : document.getElementById("claim-" + id);
  }

  function mark(row) {
    rows().forEach(function (r) {
      r.classList.remove("is-selected");
      r.removeAttribute("aria-current");
    });
    if (!row) return;
    row.classList.add("is-selected");
    row.setAttribute("aria-current", "true");
  }

  function select(row, focus) {
    if (!row) return;
    selectedId = row.getAttribute("data-claim-id");
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
      // At the end: fetch more if there is more.
      var more = document.querySelector("#load-more a");
      if (more) more.click();
    }
  }

  function decide(status) {
    var row = rowOf(selectedId);
    if (!row) return;
    var button = row.querySelector('form.decide button[name="status"][value="' + status + '"]');
    if (!button) return;
    advanceAfter = selectedId;
    button.click();
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
    var n = document.querySelectorAll("#queue-body .row-check:checked").length;
    var out = document.querySelector("[data-bulk-count]");
    if (out) out.textContent = String(n);
    var bar = document.getElementById("bulk-form");
    if (bar) bar.classList.toggle("has-selection", n > 0);
  }

  function openShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
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
    if (key === "j" || key === "ArrowDown" && target.classList && target.classList.contains("row")) {
      event.preventDefault();
      move(1);
    } else if (key === "k" || key === "ArrowUp" && target.classList && target.classList.contains("row")) {
      event.preventDefault();
      move(-1);
    } else if (DECIDE_KEYS[key]) {
      event.preventDefault();
      decide(DECIDE_KEYS[key]);
    } else if (key === "n") {
      var row = rowOf(selectedId);
      var note = row && row.querySelector("input.note");
      if (note) {
        event.preventDefault();
        note.focus();
      }
    } else if (key === "x") {
      var r = rowOf(selectedId);
      var box = r && r.querySelector(".row-check");
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
    } else if ((key === "o" || key === "Enter") && target.classList && target.classList.contains("row")) {
      var open = rowOf(selectedId);
      if (open) {
        event.preventDefault();
        window.location.assign(open.getAttribute("data-claim-url"));
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
      document.querySelectorAll("#queue-body .row-check").forEach(function (box) { box.checked = target.checked; });
      updateBulkCount();
      return;
    }
    if (target.classList && target.classList.contains("row-check")) {
      var boxes = Array.prototype.slice.call(document.querySelectorAll("#queue-body .row-check"));
      if (event.shiftKey && lastChecked && lastChecked !== target && boxes.indexOf(lastChecked) >= 0) {
        var a = boxes.indexOf(lastChecked), b = boxes.indexOf(target);
        boxes.slice(Math.min(a, b), Math.max(a, b) + 1).forEach(function (box) { box.checked = target.checked; });
      }
      lastChecked = target;
      updateBulkCount();
    }
    var row = target.closest && target.closest("#queue-body > tr.row");
    if (row) select(row, false);
  });

  document.addEventListener("htmx:responseError", function () {
    advanceAfter = null;
  });

  // A row swapped after a mouse or Tab decision keeps focus on the same control in the new row.
  var refocus = null;
  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    var holder = active && active.closest ? active.closest("#queue-body > tr.row") : null;
    refocus = holder && active.tagName === "BUTTON"
      ? { id: holder.id, selector: 'button[name="status"][value="' + active.value + '"]' }
      : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!refocus) return;
    var target = document.getElementById(refocus.id);
    var control = target && target.querySelector("form.decide " + refocus.selector);
    refocus = null;
    if (control && (document.activeElement === document.body || !document.activeElement)) control.focus();
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : 0;
    if (advanceAfter !== null) {
      var decided = rowOf(advanceAfter);
      advanceAfter = null;
      if (decided && status === 200) {
        var all = rows();
        var index = all.indexOf(decided);
        select(all[Math.min(all.length - 1, index + 1)]);
      } else if (decided) {
        select(decided); // a conflict: stay on it, the row shows what changed
      }
    } else {
      var current = rowOf(selectedId);
      if (current) mark(current);
      else selectedId = null;
    }
    updateBulkCount();
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.id === "bulk-form" && event.detail.successful) {
      var all = document.querySelector("[data-select-all]");
      if (all) all.checked = false;
      updateBulkCount();
    }
  });

  window.verifier = window.verifier || {};
  window.verifier.queue = { select: select, move: move };
})();
