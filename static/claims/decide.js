// One decision per intent. Every decide form (the queue's panel, the reader's panel, the claim page,
// a conflict's "apply anyway") goes through decide(): a form with a decision in flight refuses the
// next one (a double click, a repeated key), its buttons are marked aria-disabled until the answer
// (not `disabled`: a disabled button drops focus, and htmx can give focus back after the swap only to
// a focused element with the same id), and once this script runs no decision is ever submitted
// natively (no page reload).
(function () {
  "use strict";

  function resolveTarget(form, spec) {
    if (spec instanceof Element) return spec;
    spec = spec || form.getAttribute("data-target") || "";
    if (spec.indexOf("closest ") === 0) return form.closest(spec.slice(8));
    return spec ? document.querySelector(spec) : null;
  }

  function renewKey(form) {
    var field = form.querySelector('input[name="idempotency_key"]');
    if (!field || !window.crypto || !window.crypto.getRandomValues) return;
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    field.value = Array.prototype.map
      .call(bytes, function (b) {
        return (b < 16 ? "0" : "") + b.toString(16);
      })
      .join("");
  }

  // opts: url, target (element or selector), version, values (extra fields). True if sent.
  function decide(form, status, opts) {
    opts = opts || {};
    if (!form || !window.htmx || form.getAttribute("data-busy") === "1") return false;
    var url = opts.url || form.getAttribute("action");
    var target = resolveTarget(form, opts.target);
    if (!url || !target || !target.isConnected) return false;
    form.setAttribute("data-busy", "1");
    var buttons = Array.prototype.slice.call(form.querySelectorAll('button[name="status"]:not([aria-disabled])'));
    buttons.forEach(function (button) {
      button.setAttribute("aria-disabled", "true");
    });
    var values = Object.assign({}, opts.values || {}, { status: status });
    if (opts.version !== undefined && opts.version !== null) values.version = String(opts.version);
    // The form's idempotency token ({% decision_key %}) travels with the form's fields: a request
    // sent twice records once. Once the server has answered, the next decision is a new intent and
    // gets a new token (the queue's panel is one form for every row and is not re-rendered).
    var answered = function (event) {
      form.removeEventListener("htmx:afterRequest", answered);
      var xhr = event.detail && event.detail.xhr;
      if (xhr && xhr.status > 0) renewKey(form);
    };
    form.addEventListener("htmx:afterRequest", answered);
    var done = function () {
      form.removeAttribute("data-busy");
      buttons.forEach(function (button) {
        button.removeAttribute("aria-disabled");
      });
    };
    window.htmx
      .ajax("POST", url, {
        source: form,
        target: target,
        swap: form.getAttribute("data-swap") || "innerHTML",
        values: values
      })
      .then(done, done);
    return true;
  }

  // Capture phase: handled before any enclosing form (the queue's bulk form holds conflict rows).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-decide], form[data-decide-panel]")) return;
    event.preventDefault(); // never a native submit while JavaScript runs
    event.stopPropagation();
    var button = event.submitter;
    if (!button || button.name !== "status") return; // Enter in a text field decides nothing
    if (form.hasAttribute("data-decide-panel")) {
      if (window.verifier.queue) window.verifier.queue.decide(button.value);
      return;
    }
    decide(form, button.value);
  }, true);

  // The status a key decides: the button in `container` whose aria-keyshortcuts is that key (the
  // buttons come from Status.choices, so no status is spelled out here).
  function statusForKey(container, key) {
    if (!container || !/^[a-z]$/.test(key)) return null;
    var button = container.querySelector('button[name="status"][aria-keyshortcuts="' + key + '"]');
    return button ? button.value : null;
  }
  window.verifier = window.verifier || {};
  window.verifier.decide = decide;
  window.verifier.statusForKey = statusForKey;
})();
