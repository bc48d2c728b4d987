"""An htmx swap leaves the page as a fresh render draws it (les-emplois' check): decide through htmx,
put the answer where htmx puts it (the target, and the out-of-band pieces in place of the elements
with their ids), and compare with the same page loaded afresh. Tokens that differ on every render
(CSRF, the per-form decision key) are normalised; the transient "Claim N marked ..." status is not
part of a fresh page and is left out."""

import re

import lxml.html
import pytest
from django.urls import reverse

from claims.models import VerificationStatus
from claims.services.corroboration import claims_corroborate
from tests.factories import make_article, make_claim, make_source

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
TOKENS = re.compile(r'(name="(?:csrfmiddlewaretoken|idempotency_key)" value=")[^"]*"')
OOB = re.compile(r' hx-swap-oob="[^"]*"')  # htmx drops the attribute from what it swaps in


def _normal(html: str) -> str:
    return TOKENS.sub(r'\1TOKEN"', html)


def _element(html: str, tag: str, element_id: str) -> str:
    """The markup of the `tag` element with `element_id` (the fragments nest no element of their own tag)."""
    match = re.search(rf'<{tag}\b[^>]*\bid="{element_id}"[^>]*>.*?</{tag}>', html, re.S)
    assert match, f"no <{tag} id={element_id}>"
    return match.group(0)


def _swap_in(page: str, fragment: str, pieces: list[tuple[str, str]]) -> str:
    """`page` after htmx put each (tag, id) element of `fragment` in place of the page's own."""
    for tag, element_id in pieces:
        page = page.replace(_element(page, tag, element_id), OOB.sub("", _element(fragment, tag, element_id)))
    return page


def _region(html: str, element_id: str) -> str:
    """The element with `element_id` as the browser's parser builds it, serialised."""
    return lxml.html.tostring(lxml.html.document_fromstring(_normal(html)).get_element_by_id(element_id)).decode()


@pytest.fixture
def queue_claims(db):
    source = make_source(name="General Staff")
    return [make_claim(article=make_article(), source=source) for _ in range(3)]


def test_a_decision_from_the_queue_leaves_the_queue_as_a_fresh_render(client, analyst, queue_claims):
    client.force_login(analyst)
    claim = queue_claims[1]
    before = client.get(reverse("claims:queue")).content.decode()
    response = client.post(
        reverse("claims:decide", args=[claim.pk]),
        {"status": "confirmed", "version": "0", "next": reverse("claims:queue")},
        headers={**HX, "HX-Target": f"claim-{claim.pk}"},
    )
    assert response.status_code == 200 and response["X-Verifier-Decision"] == "recorded"
    fragment = response.content.decode()
    swapped = _swap_in(before, fragment, [("tr", f"claim-{claim.pk}"), ("nav", "status-counters")])
    fresh = client.get(reverse("claims:queue")).content.decode()
    assert 'data-status="confirmed" data-version="1"' in _element(swapped, "tr", f"claim-{claim.pk}")
    assert _region(swapped, "queue-page") == _region(fresh, "queue-page")
    assert _region(before, "queue-page") != _region(fresh, "queue-page")  # the decision did change it


def test_a_stale_decision_from_the_queue_shows_the_current_row(client, analyst, queue_claims):
    """The 409's row carries what a fresh render shows (status, version) plus the conflict."""
    client.force_login(analyst)
    claim = queue_claims[0]
    client.post(reverse("claims:decide", args=[claim.pk]), {"status": "confirmed", "version": "0"})
    response = client.post(
        reverse("claims:decide", args=[claim.pk]),
        {"status": "unverified", "version": "0", "next": reverse("claims:queue")},
        headers={**HX, "HX-Target": f"claim-{claim.pk}"},
    )
    assert response.status_code == 409
    row = _element(response.content.decode(), "tr", f"claim-{claim.pk}")
    fresh = _element(client.get(reverse("claims:queue")).content.decode(), "tr", f"claim-{claim.pk}")
    attributes = re.compile(r'data-status="[^"]*" data-version="[^"]*"')
    assert (
        attributes.search(row).group(0)
        == attributes.search(fresh).group(0)
        == 'data-status="confirmed" data-version="1"'
    )


def test_a_decision_from_the_reader_panel_leaves_the_panel_as_a_fresh_render(client, analyst, queue_claims):
    client.force_login(analyst)
    claim = queue_claims[2]
    article_url = reverse("claims:article_detail", args=[claim.article_id])
    panel_url = reverse("claims:claim_panel", args=[claim.pk]) + f"?next={article_url}"
    before = client.get(panel_url, headers=HX).content.decode()
    response = client.post(
        reverse("claims:decide", args=[claim.pk]),
        {"status": "being_clarified", "version": "0", "next": article_url},
        headers={**HX, "HX-Target": "claim-panel"},
    )
    assert response.status_code == 200 and response["X-Verifier-Decision"] == "recorded"
    # htmx swaps the panel's inner HTML: the answer is the whole of it, less the transient status.
    swapped = re.sub(r'<p class="decide-status[^"]*" role="status">[^<]*</p>', "", response.content.decode())
    fresh = client.get(panel_url, headers=HX).content.decode()
    assert _region(f'<div id="p">{swapped}</div>', "p") == _region(f'<div id="p">{fresh}</div>', "p")
    assert _region(f'<div id="p">{before}</div>', "p") != _region(f'<div id="p">{fresh}</div>', "p")
    # reader.js paints the highlight from the panel's data-shown: the class a fresh reader gives it.
    assert 'data-shown="being_clarified"' in swapped
    page = client.get(article_url).content.decode()
    assert re.search(rf'<a id="claim-{claim.pk}"[^>]*class="hl hl-being_clarified"', page)


def test_a_decision_on_the_claim_page_keeps_apply_to_all_current(client, analyst):
    """The cluster's "apply to all" form is outside the decide region; its copy of the claim's version
    comes out of band, so the page equals a fresh render and "apply to all" is not refused as stale."""
    text = "Three civilians were killed in the shelling of Kupiansk, the {} said."
    claims = []
    for name in ("governor", "police"):
        body = text.format(name)
        claims.append(
            make_claim(article=make_article(body=body), source=make_source(name=name), start=0, end=len(body))
        )
    claims_corroborate(claim_ids=[c.pk for c in claims])
    a, b = claims
    client.force_login(analyst)
    page_url = reverse("claims:claim_detail", args=[a.pk])
    before = client.get(page_url).content.decode()
    response = client.post(
        reverse("claims:decide", args=[a.pk]),
        {"status": "being_clarified", "version": "0", "next": page_url},
        headers={**HX, "HX-Target": "claim-decide"},
    )
    assert response.status_code == 200 and response["X-Verifier-Decision"] == "recorded"
    fragment = response.content.decode()
    own = re.compile(r'<input type="hidden" id="cluster-own-version"[^>]*>')
    assert own.search(before) and own.search(fragment), "the claim is in a cluster: the form is on the page"
    swapped = own.sub(OOB.sub("", own.search(fragment).group(0)), before)
    fresh = client.get(page_url).content.decode()
    assert _region(swapped, "corroboration") == _region(fresh, "corroboration")
    versions = dict(re.findall(r'name="v(\d+)" value="(\d+)"', swapped[swapped.index("cluster-decide") :]))
    assert versions == {str(a.pk): "1", str(b.pk): "0"}
    response = client.post(
        reverse("claims:cluster_decide", args=[a.pk]),
        {"status": "confirmed", **{f"v{k}": v for k, v in versions.items()}},
    )
    assert response.status_code == 303
    assert VerificationStatus.objects.filter(status="confirmed").count() == 2
