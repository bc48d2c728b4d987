"""Exports: ClaimReview JSON-LD, CSV and JSONL, history; the command, the queue download, the admin action."""

import csv
import io
import json
import os
import subprocess
import sys
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from claims.exporting import (
    CLAIM_FIELDS,
    DECISION_FIELDS,
    claim_rows,
    claimreview_items,
    csv_safe,
    export_stream,
)
from claims.models import Article, Claim, Source, VerificationStatus
from claims.services import claim_decide
from tests.factories import make_article, make_claim, make_source

ROOT = Path(__file__).resolve().parent.parent
GOOGLE_EXAMPLE = ROOT.parent / "shared" / "formats" / "claimreview_google_example.jsonld"
ORG = {"name": "Test Verifier Desk", "url": "https://verify.example.org/"}


@pytest.fixture(autouse=True)
def organization(settings):
    settings.VERIFIER_ORGANIZATION = ORG


def export(claims=None, **kwargs) -> str:
    return "".join(export_stream(claims, **kwargs))


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def jsonl_rows(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def downloaded(response) -> str:
    """A CSV or JSONL download without its trailer line, checking that the trailer counts its rows."""
    text = b"".join(response.streaming_content).decode()
    body, trailer = text[: text.rstrip("\r\n").rfind("\n") + 1], text[text.rstrip("\r\n").rfind("\n") + 1 :]
    if response["Content-Type"].startswith("text/csv"):
        rows = len(csv_rows(body))
        assert trailer == f"# end of export: {rows} rows\r\n", trailer
    else:
        rows = len(jsonl_rows(body))
        assert json.loads(trailer) == {"export_complete": True, "rows": rows}, trailer
    return body


def reviews(text: str) -> list[dict]:
    document = json.loads(text)
    assert document["@context"] == "https://schema.org"
    return document["@graph"]


@pytest.fixture
def decided(analyst):
    """A claim by a person, in a dated article with a URL and publisher, confirmed with evidence."""
    publisher = make_source(name="Kyiv Independent", kind="outlet")
    article = make_article(
        title="Bridge damaged overnight",
        url="https://news.example.com/bridge",
        publisher=publisher,
        published_at=datetime(2024, 6, 20, 8, 30, tzinfo=UTC),
    )
    person = make_source(name="Oleh Kiper", kind="person")
    claim = make_claim(article=article, source=person, via="local media", hedged=True, cue="said")
    claim_decide(claim=claim, status="being_clarified", analyst=analyst, note="asking the agency")
    claim_decide(
        claim=claim, status="confirmed", analyst=analyst, note="photos match", evidence_url="https://ev.example/1"
    )
    return claim


# --- CSV / JSONL ---------------------------------------------------------------------------------


def test_csv_has_a_header_and_one_row_per_claim_with_source_article_and_last_decision(decided, analyst):
    undecided = make_claim()
    rows = csv_rows(export(format="csv"))
    assert list(rows[0].keys()) == CLAIM_FIELDS
    assert [int(r["claim_id"]) for r in rows] == [decided.pk, undecided.pk]
    row = rows[0]
    last = decided.decisions.order_by("-version").first()
    assert row == {
        "claim_id": str(decided.pk),
        "claim_url": f"https://verify.example.org/claims/{decided.pk}/",
        "text": decided.text,
        "status": "confirmed",
        "status_label": "Confirmed",
        "version": "2",
        "hedged": "true",
        "via": "local media",
        "cue": "said",
        "source_id": str(decided.source_id),
        "source_name": "Oleh Kiper",
        "source_kind": "person",
        "source_reliability": "F",
        "article_id": str(decided.article_id),
        "article_title": "Bridge damaged overnight",
        "article_url": "https://news.example.com/bridge",
        "article_published_at": "2024-06-20T08:30:00+00:00",
        "article_publisher": "Kyiv Independent",
        "last_decision_analyst": analyst.username,
        "last_decision_at": last.created_at.isoformat(),
        "last_decision_note": "photos match",
        "last_decision_evidence_url": "https://ev.example/1",
        "cluster_id": str(decided.pk),  # a lone claim is its own cluster
        "credibility": "",  # not assessed
    }


def test_csv_leaves_last_decision_cells_empty_for_an_undecided_claim(db):
    claim = make_claim()
    (row,) = csv_rows(export(format="csv"))
    assert row["status"] == "unverified" and row["version"] == "0" and row["hedged"] == "false"
    assert row["article_publisher"] == "" and row["article_published_at"] == ""
    assert [row[f] for f in CLAIM_FIELDS if f.startswith("last_decision")] == ["", "", "", ""]
    assert row["claim_id"] == str(claim.pk)


def test_jsonl_rows_have_the_same_fields_as_csv_with_json_types(decided):
    make_claim()
    decided_row, undecided_row = jsonl_rows(export(format="jsonl"))
    assert list(decided_row.keys()) == CLAIM_FIELDS
    assert decided_row["claim_id"] == decided.pk and decided_row["version"] == 2
    assert decided_row["hedged"] is True and decided_row["source_name"] == "Oleh Kiper"
    assert decided_row["last_decision_note"] == "photos match"
    assert undecided_row["hedged"] is False and undecided_row["last_decision_at"] is None
    assert undecided_row["article_publisher"] is None


def test_csv_neutralises_cells_that_a_spreadsheet_would_run_as_formulas(analyst):
    body = '=HYPERLINK("http://evil.example","x") said the source. +1 more, -2 less, @SUM(A1).'
    article = make_article(title="@cmd|' /C calc'!A0", body=body)
    claim = make_claim(article=article, source=make_source(name="-Minus Agency"), end=body.index(".") + 1)
    claim_decide(claim=claim, status="confirmed", analyst=analyst, note="+danger")
    (row,) = csv_rows(export(format="csv"))
    assert row["text"] == "'" + claim.text
    assert row["article_title"] == "'@cmd|' /C calc'!A0"
    assert row["source_name"] == "'-Minus Agency"
    assert row["last_decision_note"] == "'+danger"
    # JSON is not a spreadsheet: the same values stay exactly as they are.
    (json_row,) = jsonl_rows(export(format="jsonl"))
    assert json_row["text"] == claim.text and json_row["last_decision_note"] == "+danger"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"])
def test_csv_safe_prefixes_formula_starts_with_a_quote(value):
    assert csv_safe(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "1=1", "a-b", "", 5, None, True])
def test_csv_safe_leaves_other_values_alone(value):
    assert csv_safe(value) == value


def test_decision_history_has_one_row_per_decision_oldest_first(decided, analyst):
    other = make_claim()
    claim_decide(claim=other, status="unverified", analyst=analyst, note="no second source")
    rows = csv_rows(export(format="csv", kind="decisions"))
    assert list(rows[0].keys()) == DECISION_FIELDS
    assert len(rows) == VerificationStatus.objects.count() == 3
    assert [(int(r["claim_id"]), r["version"], r["status"]) for r in rows] == [
        (decided.pk, "1", "being_clarified"),
        (decided.pk, "2", "confirmed"),
        (other.pk, "1", "unverified"),
    ]
    first = VerificationStatus.objects.get(claim=decided, version=1)
    assert rows[0]["decision_id"] == str(first.pk)
    assert rows[0]["analyst"] == analyst.username
    assert rows[0]["decided_at"] == first.created_at.isoformat()
    assert rows[0]["note"] == "asking the agency"
    assert rows[0]["claim_status"] == "confirmed"
    assert rows[1]["evidence_url"] == "https://ev.example/1"
    assert rows[0]["source_name"] == "Oleh Kiper"


def test_decision_history_as_jsonl_covers_only_the_selected_claims(decided, analyst):
    other = make_claim()
    claim_decide(claim=other, status="unverified", analyst=analyst)
    rows = jsonl_rows(export(Claim.objects.filter(pk=other.pk), format="jsonl", kind="decisions"))
    assert [(r["claim_id"], r["version"], r["status"]) for r in rows] == [(other.pk, 1, "unverified")]


# --- ClaimReview ---------------------------------------------------------------------------------


def test_claimreview_of_a_confirmed_claim_names_source_article_verdict_and_organisation(decided):
    (review,) = reviews(export(format="claimreview"))
    last = decided.decisions.order_by("-version").first()
    appearance = {
        "@type": "CreativeWork",
        "headline": "Bridge damaged overnight",
        "url": "https://news.example.com/bridge",
        "datePublished": "2024-06-20T08:30:00+00:00",
        "publisher": {"@type": "Organization", "name": "Kyiv Independent"},
    }
    assert review == {
        "@type": "ClaimReview",
        "url": f"https://verify.example.org/claims/{decided.pk}/",
        "claimReviewed": decided.text.strip(),
        "datePublished": last.created_at.isoformat(),
        "author": {"@type": "Organization", "name": ORG["name"], "url": ORG["url"]},
        "reviewRating": {"@type": "Rating", "alternateName": "Confirmed"},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "Oleh Kiper"},
            "datePublished": "2024-06-20T08:30:00+00:00",
            "appearance": [appearance],
            "firstAppearance": appearance,
        },
    }


def _paths(obj, prefix=""):
    """Every key path in a JSON object; lists are looked into through their first item."""
    if isinstance(obj, list):
        yield from _paths(obj[0], prefix) if obj else ()
        return
    if not isinstance(obj, dict):
        return
    for key, value in obj.items():
        path = f"{prefix}.{key}" if prefix else key
        yield path, value
        yield from _paths(value, path)


# What the Google example has that a Verifier review deliberately leaves out, and why:
OMITTED = {
    "@context": "given once for the whole @graph document",
    "itemReviewed.author.sameAs": "sources have no canonical web page in the registry",
    "itemReviewed.appearance.author": "article bylines are not stored as sources",
    "itemReviewed.appearance.image": "no images are imported",
    "itemReviewed.appearance.publisher.logo": "no logos are stored",
    "reviewRating.ratingValue": "the verdicts are not a numeric scale: unverified is not false",
    "reviewRating.bestRating": "the verdicts are not a numeric scale",
    "reviewRating.worstRating": "the verdicts are not a numeric scale",
}


def test_claimreview_has_every_field_of_googles_example_except_the_documented_omissions(decided):
    example = json.loads(GOOGLE_EXAMPLE.read_text())
    (review,) = reviews(export(format="claimreview"))
    ours = dict(_paths(review))
    for path, value in _paths(example):
        omitted = [o for o in OMITTED if path == o or path.startswith(o + ".")]
        if omitted:
            assert omitted[0] not in ours, path
            continue
        assert path in ours, f"missing {path}"
        assert type(ours[path]) is type(value) or isinstance(value, dict | list), path
    # Same @type wherever the example names one (the reviewed claim's author is a Person here).
    assert ours["@type"] == example["@type"] == "ClaimReview"
    assert ours["itemReviewed.@type"] == example["itemReviewed"]["@type"] == "Claim"
    assert ours["author.@type"] == example["author"]["@type"] == "Organization"
    assert ours["reviewRating.@type"] == example["reviewRating"]["@type"] == "Rating"
    assert ours["itemReviewed.appearance.publisher.@type"] == "Organization"
    # The example's appearance is a single object; schema.org allows a list, which we give.
    assert isinstance(review["itemReviewed"]["appearance"], list)
    assert ours["itemReviewed.appearance.@type"] == "CreativeWork"  # we do not know the article's subtype
    # Dates are ISO 8601, as the example's.
    for path in ("datePublished", "itemReviewed.datePublished", "itemReviewed.appearance.datePublished"):
        assert datetime.fromisoformat(ours[path]).tzinfo is not None, path


def test_claimreview_covers_decided_verdicts_only(analyst):
    confirmed, unverified, undecided, clarifying, reopened = (make_claim() for _ in range(5))
    claim_decide(claim=confirmed, status="confirmed", analyst=analyst)
    claim_decide(claim=unverified, status="unverified", analyst=analyst)
    claim_decide(claim=clarifying, status="being_clarified", analyst=analyst)
    claim_decide(claim=reopened, status="confirmed", analyst=analyst)
    claim_decide(claim=reopened, status="being_clarified", analyst=analyst)
    items = reviews(export(format="claimreview"))
    urls = {item["url"] for item in items}
    assert urls == {f"https://verify.example.org/claims/{c.pk}/" for c in (confirmed, unverified)}
    ratings = {item["url"].rsplit("/", 2)[-2]: item["reviewRating"]["alternateName"] for item in items}
    assert ratings == {str(confirmed.pk): "Confirmed", str(unverified.pk): "Unverified"}
    assert undecided.version == 0


def test_claimreview_author_is_an_organization_for_non_person_sources(analyst):
    claim = make_claim(source=make_source(name="General Staff", kind="organization"))
    claim_decide(claim=claim, status="unverified", analyst=analyst)
    (review,) = reviews(export(format="claimreview"))
    assert review["itemReviewed"]["author"] == {"@type": "Organization", "name": "General Staff"}


def test_claimreview_date_is_the_latest_decision_and_text_is_trimmed(analyst):
    body = "  The   bridge\nwas damaged, the governor said.  And more."
    article = make_article(body=body)
    claim = make_claim(article=article, end=body.index(".") + 1)
    claim_decide(claim=claim, status="confirmed", analyst=analyst)
    latest = claim_decide(claim=claim, status="unverified", analyst=analyst)
    (review,) = reviews(export(format="claimreview"))
    assert review["claimReviewed"] == "The bridge was damaged, the governor said."
    assert review["datePublished"] == latest.created_at.isoformat()
    # No date, URL or publisher on the article: those keys are left out, never null.
    assert "datePublished" not in review["itemReviewed"]
    assert review["itemReviewed"]["appearance"] == [{"@type": "CreativeWork", "headline": article.title}]


def test_claimreview_of_no_reviewed_claims_is_an_empty_graph(db):
    make_claim()
    assert reviews(export(format="claimreview")) == []


# --- seeds through the import pipeline ------------------------------------------------------------

SEEDS = ROOT / "seeds"


@pytest.mark.parametrize(
    ("sentence_start", "source_name", "author_type"),
    [
        ("According to the CNR, the primary fields of training", "Center of National Resistance", "Organization"),
        ("In late September, US Secretary of Defense Lloyd Austin stated", "Lloyd Austin", "Person"),
    ],
)
def test_a_confirmed_seed_claim_exports_as_a_claimreview_by_its_source(
    analyst, sentence_start, source_name, author_type
):
    from claims.importing.service import article_import

    report = article_import(paths=[str(SEEDS)])
    assert report.imported >= 2 and report.failed == 0
    claim = Claim.objects.select_related("source").get(text__startswith=sentence_start)
    claim_decide(claim=claim, status="confirmed", analyst=analyst, note="checked against the original")
    (review,) = reviews(export(format="claimreview"))
    assert review["itemReviewed"]["author"] == {"@type": author_type, "name": source_name}
    assert review["claimReviewed"].startswith(sentence_start)
    assert review["reviewRating"]["alternateName"] == "Confirmed"
    assert review["itemReviewed"]["appearance"][0]["headline"] == claim.article.title


# --- the command ---------------------------------------------------------------------------------


def test_command_writes_csv_to_stdout_by_default(decided, capsys):
    call_command("export_claims", "--format", "csv")
    out, err = capsys.readouterr()
    assert [int(r["claim_id"]) for r in csv_rows(out)] == [decided.pk]
    assert "exported 1 claim (csv) to stdout" in err


def test_command_status_filter_selects_claims_by_current_status(decided, capsys):
    other = make_claim()
    call_command("export_claims", "--format", "jsonl", "--status", "unverified")
    out, _ = capsys.readouterr()
    assert [r["claim_id"] for r in jsonl_rows(out)] == [other.pk]


def test_command_writes_claimreview_to_an_output_file(decided, tmp_path, capsys):
    target = tmp_path / "reviews.jsonld"
    call_command("export_claims", "--format", "claimreview", "--output", str(target))
    assert [r["itemReviewed"]["author"]["name"] for r in reviews(target.read_text())] == ["Oleh Kiper"]
    assert not (tmp_path / "reviews.jsonld.part").exists()
    assert "exported 1 review (claimreview)" in capsys.readouterr().err


def test_command_history_flag_exports_decisions(decided, capsys):
    call_command("export_claims", "--format", "csv", "--history")
    out, err = capsys.readouterr()
    assert [r["version"] for r in csv_rows(out)] == ["1", "2"]
    assert "exported 2 decisions" in err


def test_command_refuses_history_as_claimreview(db):
    with pytest.raises(CommandError, match="--history exports csv or jsonl") as error:
        call_command("export_claims", "--format", "claimreview", "--history")
    assert error.value.returncode == 2


def test_command_refuses_being_clarified_as_claimreview(db):
    with pytest.raises(CommandError, match="never exported as ClaimReview") as error:
        call_command("export_claims", "--format", "claimreview", "--status", "being_clarified")
    assert error.value.returncode == 2


def test_command_reports_an_unwritable_output_and_leaves_nothing(decided, tmp_path):
    target = tmp_path / "missing-dir" / "out.csv"
    with pytest.raises(CommandError, match="cannot write"):
        call_command("export_claims", "--format", "csv", "--output", str(target))
    assert not target.parent.exists()


def _run(*args):
    env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "verifier.settings"}
    return subprocess.run(
        [sys.executable, "manage.py", "export_claims", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["--format", "csv", "--status", "maybe"], "argument --status: invalid choice: 'maybe'"),
        ([], "the following arguments are required: --format"),
    ],
)
def test_command_usage_errors_exit_2_with_a_clear_message(args, message):
    result = _run(*args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert result.stdout == ""


def test_command_help_explains_which_claims_are_reviews():
    result = _run("--help")
    assert result.returncode == 0
    assert "at least one decision" in result.stdout and "--history" in result.stdout


# --- downloads -----------------------------------------------------------------------------------


def test_queue_download_streams_the_queue_selection_as_an_attachment(client, viewer, decided):
    make_claim()
    client.force_login(viewer)
    response = client.get(reverse("claims:export"), {"format": "csv", "status": "confirmed"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="verifier-claims-')
    rows = csv_rows(downloaded(response))
    assert [int(r["claim_id"]) for r in rows] == [decided.pk]


def test_queue_page_offers_downloads_of_its_current_filters(client, viewer, decided):
    client.force_login(viewer)
    response = client.get(reverse("claims:queue"), {"status": "confirmed", "q": "drones"})
    html = response.content.decode()
    assert f"{reverse('claims:export')}?status=confirmed&amp;q=drones&amp;format=csv" in html
    assert "format=claimreview" in html and "history=1" in html


def test_queue_download_respects_source_article_and_search_filters(client, viewer, decided):
    body = decided.article.body
    other_in_article = make_claim(
        article=decided.article, start=decided.end + 2, end=body.index("south.") + len("south.")
    )
    make_claim(source=decided.source)
    client.force_login(viewer)

    def ids(**params):
        response = client.get(reverse("claims:export"), {"format": "jsonl", **params})
        assert response.status_code == 200
        return sorted(r["claim_id"] for r in jsonl_rows(downloaded(response)))

    assert ids(article=decided.article_id) == sorted([decided.pk, other_in_article.pk])
    assert len(ids(source=decided.source_id)) == 2
    assert ids(q="drones") == [other_in_article.pk]


def test_queue_download_of_history_and_claimreview(client, viewer, decided):
    client.force_login(viewer)
    history = client.get(reverse("claims:export"), {"format": "csv", "history": "1"})
    assert len(csv_rows(downloaded(history))) == 2
    review = client.get(reverse("claims:export"), {"format": "claimreview"})
    assert review["Content-Type"] == "application/ld+json; charset=utf-8"
    assert len(reviews(b"".join(review.streaming_content).decode())) == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"format": "xls"}, "Unknown export format 'xls'"),
        ({"format": "csv", "status": "nope"}, "Invalid filters"),
        ({"format": "claimreview", "history": "1"}, "not as ClaimReview"),
        ({"format": "claimreview", "status": "being_clarified"}, "have no verdict"),
        ({"format": "claimreview", "status": "undecided"}, "have no verdict"),
    ],
)
def test_queue_download_rejects_bad_parameters_with_400(client, viewer, params, message):
    client.force_login(viewer)
    response = client.get(reverse("claims:export"), params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_queue_download_needs_sign_in(client, decided):
    response = client.get(reverse("claims:export"), {"format": "csv"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_admin_action_exports_only_the_selected_claims_as_csv(client, staff, decided):
    make_claim()
    client.force_login(staff)
    response = client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "export_selected_csv", "_selected_action": [decided.pk]},
    )
    assert response.status_code == 200 and response.streaming
    assert [int(r["claim_id"]) for r in csv_rows(downloaded(response))] == [decided.pk]


def test_admin_action_exports_selected_claimreviews(client, staff, decided):
    client.force_login(staff)
    response = client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "export_selected_claimreview", "_selected_action": [decided.pk]},
    )
    items = reviews(b"".join(response.streaming_content).decode())
    assert [i["itemReviewed"]["author"]["name"] for i in items] == ["Oleh Kiper"]


def test_admin_claimreview_action_warns_when_nothing_selected_has_a_verdict(client, staff):
    claim = make_claim()
    client.force_login(staff)
    response = client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "export_selected_claimreview", "_selected_action": [claim.pk]},
        follow=True,
    )
    assert not response.streaming
    assert "None of the selected claims has a verdict" in response.content.decode()


# --- streaming memory ------------------------------------------------------------------------------


def _insert(model, rows: list[dict]) -> None:
    """Plain multi-row INSERTs: the ORM's bulk_create builds an instance per row, 10x slower here."""
    fields = list(rows[0])
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(row[name] for name in fields) for row in rows])


def _bulk_claims(n: int, analyst) -> None:
    """n claims over n/100 articles and 20 sources; every other one confirmed with a decision."""
    sources = Source.objects.bulk_create(
        [Source(name=f"Bulk source {i}", kind="person" if i % 2 else "organization") for i in range(20)]
    )
    body = "The spokesman said the convoy had been seen near the border crossing at dawn. " * 3
    articles = Article.objects.bulk_create(
        [
            Article(
                title=f"Bulk article {i}",
                body=body,
                original_text=body,
                url=f"https://bulk.example/{i}",
                url_key=f"bulk.example/{i}",
                content_hash=f"{i:064x}",
                published_at=datetime(2025, 1, 1, tzinfo=UTC),
            )
            for i in range(n // 100)
        ]
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    _insert(
        Claim,
        [
            {
                "article": articles[i // 100].pk,
                "source": sources[i % 20].pk,
                "start": i % 100,
                "end": i % 100 + 120,
                "text": body[i % 100 : i % 100 + 120],
                "via": "",
                "hedged": bool(i % 3),
                "cue": "said",
                "status_hint": "",
                "status": "confirmed" if i % 2 else "unverified",
                "version": 1 if i % 2 else 0,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(n)
        ],
    )
    decided = Claim.objects.filter(version=1).values_list("id", flat=True)
    _insert(
        VerificationStatus,
        [
            {
                "claim": pk,
                "status": "confirmed",
                "version": 1,
                "analyst": analyst.pk,
                "note": "bulk note",
                "evidence_url": "",
                "created_at": now,
            }
            for pk in decided
        ],
    )
    assert Claim.objects.count() == n and VerificationStatus.objects.count() == n // 2


def _peak(produce) -> tuple[int, object]:
    """(peak traced bytes while running `produce()`, its result)."""
    tracemalloc.start()
    try:
        result = produce()
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def _streamed_size(claims, fmt):
    """Characters of the export, counted chunk by chunk and not kept (as a download sends them)."""
    return sum(len(chunk) for chunk in export_stream(claims, format=fmt))


@pytest.mark.parametrize(
    ("fmt", "materialise"),
    [("csv", lambda qs: list(claim_rows(qs))), ("claimreview", lambda qs: list(claimreview_items(qs)))],
)
def test_export_memory_stays_flat_from_5k_to_20k_claims(analyst, fmt, materialise):
    _bulk_claims(20_000, analyst)
    ids = Claim.objects.order_by("id").values_list("id", flat=True)
    first_5k = Claim.objects.filter(pk__lte=ids[4999])
    _streamed_size(Claim.objects.filter(pk__lte=ids[9]), fmt)  # one-time costs (URLconf import...) first
    peak_5k, size_5k = _peak(lambda: _streamed_size(first_5k, fmt))
    peak_20k, size_20k = _peak(lambda: _streamed_size(Claim.objects.all(), fmt))
    held_5k, rows = _peak(lambda: materialise(first_5k))
    assert len(rows) >= 2500
    assert size_20k > 3.5 * size_5k  # four times the output...
    assert peak_20k < 1.3 * peak_5k, (peak_5k, peak_20k)  # ...in about the same memory,
    # ...and less than holding even a quarter of the rows at once (a list of the 5k) would take.
    assert peak_20k < held_5k / 2, (peak_20k, held_5k)
