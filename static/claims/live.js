// Live updates: the #live element polls claims:live (hx-trigger="every 3s") and swaps itself with
// the next cursor. Here: the queue's shown row ids and filters go with each poll, ticked checkboxes
// survive a row swapped in by someone else's decision, and each change is announced to the page
// (verifier:live-change) for the reader's highlights.
(function () {
  "use strict";

  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || elt.id !== "live") return;
    if (elt.getAttribute("data-live") === "queue") {
      var ids = Array.prototype.map.call(document.querySelectorAll("#queue-body > tr.row"), function (row) {
        return row.id.slice("claim-".length);
      });
      event.detail.parameters.ids = ids.slice(0, 500).join(",");
      event.detail.parameters.filters = window.location.search.replace(/^\?/, "");
    }
  });

  // Rows swapped in by a live update start unticked: tick again what the analyst had ticked.
  var ticked = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.elt || event.detail.elt.id !== "live") return;
    ticked = Array.prototype.map.call(document.querySelectorAll('#queue-body input[name="ids"]:checked'), function (box) {
      return box.value;
    });
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var live = event.detail.elt;
    if (!live || live.id !== "live") return;
    if (ticked) {
      ticked.forEach(function (value) {
        var box = document.querySelector('#queue-body input[name="ids"][value="' + value + '"]');
        if (box) box.checked = true;
      });
      ticked = null;
      document.dispatchEvent(new CustomEvent("verifier:ticks-restored"));
    }
    live.querySelectorAll("template[data-live-change]:not([data-seen])").forEach(function (item) {
      item.setAttribute("data-seen", "1");
      document.dispatchEvent(
        new CustomEvent("verifier:live-change", {
          detail: {
            claimId: item.getAttribute("data-claim-id"),
            kind: item.getAttribute("data-kind"),
            status: item.getAttribute("data-status"),
            label: item.getAttribute("data-label"),
            text: item.getAttribute("data-text")
          }
        })
      );
    });
  });

  document.addEventListener("click", function (event) {
    var reload = event.target.closest && event.target.closest("[data-live-reload]");
    if (!reload) return;
    event.preventDefault();
    window.location.reload();
  });
})();
