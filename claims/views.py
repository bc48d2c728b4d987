"""Web views. Function views: parse the request, call a service or selector, render."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def healthz(request):
    """Liveness: answers without touching the database or the session."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def dashboard(request):
    return render(request, "claims/dashboard.html")
