// Verifier: page-wide behaviour. Errors from htmx requests are shown in the alert region, so a
// decision that the server refused is never silently lost. No inline scripts (CSP).
(function () {
  "use strict";

  var STATUS_TEXT = {
    0: "The server could not be reached. Nothing was saved; check the connection and try again.",
    400: "The request was refused",
    403: "Not allowed",
    404: "Not found (it may have been deleted or merged)",
    500: "Server error: nothing was saved. Try again, or tell an administrator."
  };

  function alertRegion() {
    return document.getElementById("alerts");
  }

  function showAlert(text) {
    var region = alertRegion();
    if (!region) return;
    var item = document.createElement("p");
    item.className = "alert";
    item.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "link alert-close";
    close.textContent = "Dismiss";
    close.addEventListener("click", function () { item.remove(); });
    item.appendChild(document.createTextNode(" "));
    item.appendChild(close);
    region.appendChild(item);
    while (region.children.length > 3) region.firstElementChild.remove();
  }

  function messageFor(xhr) {
    var status = xhr ? xhr.status : 0;
    var type = (xhr && xhr.getResponseHeader("Content-Type")) || "";
    var body = xhr && typeof xhr.responseText === "string" ? xhr.responseText.trim() : "";
    if (type.indexOf("text/plain") === 0 && body && body.length < 500) {
      return body + " (" + status + ")";
    }
    if (status === 403) {
      return "Not allowed (403). Your session may have expired or your account may only read: reload the page and sign in again.";
    }
    return (STATUS_TEXT[status] || "Request failed") + " (" + status + ").";
  }

  document.addEventListener("htmx:responseError", function (event) {
    showAlert(messageFor(event.detail.xhr));
  });
  document.addEventListener("htmx:sendError", function () {
    showAlert(STATUS_TEXT[0]);
  });

  // Phones: the main navigation is collapsed behind "Menu" (CSS hides it only once this runs).
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-nav-toggle]");
    if (!toggle) return;
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    if (nav) nav.classList.toggle("is-open", open);
  });

  window.verifier = window.verifier || {};
  window.verifier.showAlert = showAlert;
})();
