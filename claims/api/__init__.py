"""Verifier's JSON API under /api/, authenticated by per-user tokens (`Authorization: Bearer <token>`).

Built with django-ninja rather than Django REST framework: the rest of the app is function views and
small typed functions, and ninja endpoints are exactly that (a function, typed parameters, pydantic
schemas) with the OpenAPI schema derived from those types and served at /api/openapi.json. DRF's
serializers, viewsets and routers would be a second way to write views for five endpoints.

Rules:
- Authentication is the token only. A session cookie grants nothing here, which is why these views
  can be exempt from CSRF (there is no ambient credential to ride on) and from
  LoginRequiredMiddleware's redirect (an API answers 401 JSON, never a login page).
- Every error is JSON `{"detail": "..."}` (plus fields where useful): 401 without a valid token,
  403 for a Viewer deciding or a non-staff import, 404 for unknown ids and paths, 409 with the
  current claim on a stale version, 422 for invalid input.
- Reads reuse the queue's selectors; decisions go through `claims.services.claim_decide`, the
  same path as the triage pages.

Layout: `auth` (the token, the schema's check, rate limits), `errors` (the exception -> answer
table), `schemas`, `paging` (cursors), one router per resource (`claims`, `imports`, `sources`), and
`urls` (the NinjaAPI object and the patterns `verifier/urls.py` includes).
"""

from claims.api.urls import api, urls

__all__ = ["api", "urls"]
