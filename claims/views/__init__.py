"""Web views, one module per page or job: function views that parse the request, call a service or
selector and render (with htmx, the fragment that changed).

common (errors, roles at the door, redirects, healthz) · dashboard · queue · decisions (decide, bulk
decide) · claims (the claim page and the reader's panel) · corroboration (the claim page's cluster
actions) · articles (list, reader, add a claim) · sources · live (polling) · export (downloads) ·
imports (the admin upload and its preview, the import job page).
"""
