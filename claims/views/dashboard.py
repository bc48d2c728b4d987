"""The dashboard: progress by status, my assigned claims, recent decisions, articles to work on."""

from django.http import QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from claims import selectors


@require_GET
def dashboard(request):
    context = {
        "counts": selectors.status_counts(),
        "mine": selectors.my_assigned_claims(user=request.user),
        "recent": selectors.recent_decisions(),
        "undecided_articles": selectors.articles_most_undecided(),
        "filter_params": QueryDict(),
    }
    return render(request, "claims/dashboard.html", context)
