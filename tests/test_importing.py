"""The import pipeline: parsers per format, cleaning and dedupe keys, and the one import service."""

import io
import json
import threading
import tracemalloc
from pathlib import Path

import pytest
from django.db import connection, connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.extraction import extract_claims
from claims.importing import pool as extraction_pool
from claims.importing import service as import_service
from claims.importing.detect import detect_format
from claims.importing.normalise import content_hash, normalise_url
from claims.importing.parsers import (
    Input,
    iter_inputs,
    parse_bytes,
    parse_csv,
    parse_feed,
    parse_html,
    parse_input,
    parse_json,
    parse_jsonl,
    parse_txt,
    record_from_mapping,
)
from claims.importing.prepare import PreparedArticle, prepare_record
from claims.importing.records import ArticleRecord, Limits, RecordError, SourceRegistry
from claims.importing.service import article_import
from claims.models import Article, AuditEvent, Claim, ImportJob, Source, SourceAlias

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
DATA = TESTS / "data" / "import"
COPIES = DATA / "shared"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = REPO / "seeds"


def items_of(path: Path, limits: Limits | None = None):
    found = []
    for inp in iter_inputs([str(path)]):
        if isinstance(inp, RecordError):
            found.append(inp)
        else:
            found.extend(parse_input(inp, limits))
    return found


def records_of(path: Path):
    return [i for i in items_of(path) if isinstance(i, ArticleRecord)]


def errors_of(path: Path):
    return [i for i in items_of(path) if isinstance(i, RecordError)]


def prepared(record: ArticleRecord) -> PreparedArticle:
    result = prepare_record(record)
    assert isinstance(result, PreparedArticle), result
    return result


def shared_or_copy(name: str) -> list[Path]:
    """The real sample in ../shared/formats when present, and always the copy in tests/data."""
    paths = [COPIES / name]
    if (SHARED / "formats" / name).exists():
        paths.append(SHARED / "formats" / name)
    return paths


# --- seed-style text ---------------------------------------------------------------------------


def test_seed_text_title_is_its_first_line_and_the_body_the_rest():
    (record,) = records_of(SEEDS / "002_6f2129f11252ae90.txt")
    article = prepared(record)
    assert (
        article.title == "Defense Intelligence of Ukraine prepared attack on Wagner group in Mali last year - The Times"
    )
    assert article.body.startswith("Chief of the Defense Intelligence of Ukraine")
    assert "ua en ru" not in article.body
    assert article.original_text == (SEEDS / "002_6f2129f11252ae90.txt").read_text(encoding="utf-8")


def test_seed_text_whose_first_line_is_the_lead_keeps_it_in_the_body():
    (record,) = records_of(SEEDS / "000_ea078edfdb169b11.txt")
    article = prepared(record)
    assert article.body.startswith("Elements of the Russian private military company (PMC) Wagner")
    assert article.title and article.title.startswith("Elements of the Russian")
    assert "Advertisement" not in article.body


def test_seed_text_publisher_comes_from_the_read_the_article_by_hint():
    (record,) = records_of(SEEDS / "002_6f2129f11252ae90.txt")
    assert prepared(record).publisher == "RBC-Ukraine"


# --- JSON, JSONL, NewsAPI, trafilatura ----------------------------------------------------------


@pytest.mark.parametrize("path", shared_or_copy("news-please_sample.json"), ids=lambda p: p.parent.name)
def test_news_please_json_gives_its_text_url_date_publisher_and_language(path):
    (record,) = records_of(path)
    article = prepared(record)
    assert article.title.startswith("Moscow to Kiev")
    assert article.body.startswith("Russia has called on Ukraine to stick to the Minsk peace process")
    assert article.url_key == "https://www.rt.com/news/203203-ukraine-russia-troops-border"
    assert article.published_at.isoformat() == "2017-07-17T17:03:00+00:00"
    assert article.publisher == "www.rt.com"
    assert article.language == "en"


@pytest.mark.parametrize("path", shared_or_copy("newsapi_top-headlines_sample.json"), ids=lambda p: p.parent.name)
def test_newsapi_records_without_text_are_rejected_with_their_number_and_a_reason(path):
    items = items_of(path)
    errors = [i for i in items if isinstance(i, RecordError)]
    assert [e.line for e in errors] == [1, 2]
    assert all("no content or description" in e.message for e in errors)
    (record,) = [i for i in items if isinstance(i, ArticleRecord)]
    assert record.line == 3
    assert record.publisher == "New York Post"
    assert "[+3188 chars]" not in record.text
    assert record.text.startswith("The Trump transition team")


def test_newsapi_content_tail_is_stripped_and_description_kept():
    items = items_of(DATA / "newsapi_no_text.json")
    (record,) = [i for i in items if isinstance(i, ArticleRecord)]
    assert "chars]" not in record.text
    assert record.text.startswith("An air raid alert was declared")
    assert record.published == "2024-09-01T11:00:00Z"


def test_trafilatura_json_with_a_utf8_bom_is_read():
    (record,) = records_of(DATA / "utf8_bom.json")
    article = prepared(record)
    assert article.title == "Ceasefire talks stall"
    assert article.url == "https://example.com/trafilatura/ceasefire"
    assert article.publisher == "example.com"


def test_jsonl_with_a_broken_line_gives_the_good_lines_and_the_broken_line_number():
    items = items_of(DATA / "mixed.jsonl")
    assert [r.line for r in items if isinstance(r, ArticleRecord)] == [1, 2, 4]
    errors = {e.line: e.message for e in items if isinstance(e, RecordError)}
    assert set(errors) == {3, 5, 6}
    assert errors[3].startswith("broken JSON")
    assert "expected a JSON object" in errors[5]
    assert "no article text" in errors[6]


def test_broken_json_list_keeps_the_records_before_the_break():
    items = items_of(DATA / "broken.json")
    assert [type(i).__name__ for i in items] == ["ArticleRecord", "RecordError"]
    assert items[1].line == 2
    assert "broken JSON" in items[1].message


def test_a_large_json_list_is_streamed_record_by_record():
    body = "The regional governor said that air defence worked overnight over the city. " * 40  # ~3 KB
    records = [{"title": f"T{i}", "maintext": f"{body} Number {i}.", "url": f"https://e.com/{i}"} for i in range(2500)]
    data = json.dumps(records).encode()
    assert len(data) > 7_000_000
    tracemalloc.start()
    try:
        count = sum(1 for item in parse_bytes("big.json", data) if isinstance(item, ArticleRecord))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 2500
    # The whole list decoded would be several times the file size; streaming keeps it to a few chunks.
    assert peak < len(data) / 4, peak


def test_a_source_registry_is_recognised_by_its_content():
    (item,) = items_of(SEEDS / "sources.json")
    assert isinstance(item, SourceRegistry)
    names = {s["name"] for s in item.sources}
    assert {"Center of National Resistance", "Kyiv Post", "Reuters"} <= names


def test_a_json_object_without_any_text_is_rejected_naming_its_fields():
    (error,) = errors_of(COPIES / "claimreview_google_example.jsonld")
    assert error.line == 1
    assert "no article text" in error.message and "claimReviewed" in error.message


# --- CSV ----------------------------------------------------------------------------------------


def test_csv_columns_in_any_order_with_extra_columns_and_multiline_bodies():
    items = items_of(DATA / "other_order.csv")
    records = [i for i in items if isinstance(i, ArticleRecord)]
    assert [r.title for r in records] == ["Air defence systems arrive", "Бойові зіткнення"]
    first = records[0]
    assert first.url == "https://example.com/csv/air-defence"
    assert first.publisher == "Kyiv Post"
    assert "\n" in first.text and first.text.endswith("crews had already been trained.")
    assert prepared(first).published_at.isoformat() == "2024-06-01T07:00:00+00:00"
    assert records[1].line == 5  # the multi-line record took lines 2-4
    (error,) = [i for i in items if isinstance(i, RecordError)]
    assert error.line == 6 and "'body' cell is empty" in error.message


def test_csv_without_a_body_column_is_one_error_on_line_1():
    items = list(parse_csv("x.csv", io.StringIO("title,url\nA,https://e.com/a\n"), Limits()))
    assert items == [RecordError("x.csv", 1, "CSV header has no 'body' column (columns found: title, url)")]


def test_csv_with_semicolons_is_read():
    text = "title;body;url\nA;The mayor said that the ferry runs again.;https://e.com/a\n"
    (record,) = parse_csv("x.csv", io.StringIO(text), Limits())
    assert record.title == "A" and record.url == "https://e.com/a"


# --- HTML and feeds -----------------------------------------------------------------------------


def test_html_page_main_text_is_extracted_without_navigation_or_footer():
    (record,) = records_of(DATA / "page.html")
    assert record.title == "Bridge damaged in Kherson"
    assert record.text.startswith("The regional military administration said")
    assert "Home" not in record.text and "All rights reserved" not in record.text
    assert record.url == "https://example.com/html/bridge-kherson"


@pytest.mark.parametrize("path", shared_or_copy("rss2_feed_item_sample.xml"), ids=lambda p: p.parent.name)
def test_rss_item_html_description_is_reduced_to_text_with_link_and_its_domain_as_publisher(path):
    (record,) = records_of(path)
    assert record.text == "The number includes 990 casualties that Russian forces suffered over the past day."
    assert record.url == "https://benborges.xyz/2026/03/11/general-staff-russia-has-lost.html"
    # The item's link names its publisher; the feed's title ("Photos on Tracking ...") names the feed.
    assert record.publisher == "benborges.xyz"
    assert record.title.startswith("General Staff: Russia has lost")
    assert "<" not in record.text


@pytest.mark.parametrize("path", shared_or_copy("atom_feed_example.xml"), ids=lambda p: p.parent.name)
def test_atom_entry_becomes_an_article(path):
    (record,) = records_of(path)
    assert record.title == "Atom-Powered Robots Run Amok"
    assert record.text == "Some text."
    assert record.publisher == "example.org"  # the entry link's domain, not the feed title "Example Feed"
    assert prepared(record).published_at.isoformat() == "2003-12-13T18:30:02+00:00"


def test_feed_item_without_text_is_rejected_by_item_number():
    items = items_of(DATA / "wire.rss")
    assert [type(i).__name__ for i in items] == ["ArticleRecord", "RecordError"]
    assert (
        items[0].text
        == "The Odesa regional governor said that drones attacked port infrastructure in Izmail overnight."
    )
    assert items[1].line == 2


def test_feed_parser_never_fetches_a_url_given_as_text():
    items = list(parse_feed("x.xml", "http://127.0.0.1:9/feed.xml"))
    assert len(items) == 1 and isinstance(items[0], RecordError)


# --- encodings and bad files --------------------------------------------------------------------


def test_windows_1251_cyrillic_text_is_decoded():
    article = prepared(records_of(DATA / "cyrillic_cp1251.txt")[0])
    assert article.title == "Атака дронів на Одесу"
    assert article.body.startswith("Генеральний штаб ЗСУ повідомив")
    assert article.language == "uk"


def test_utf16_with_bom_is_decoded():
    article = prepared(records_of(DATA / "utf16_bom.txt")[0])
    assert article.title == "Explosions reported in Belgorod"


def test_text_in_another_code_page_is_refused_not_read_as_mojibake():
    (error,) = errors_of(DATA / "latin1.txt")
    assert error.line == 1 and "cannot decode" in error.message


def test_binary_file_is_refused():
    (error,) = errors_of(DATA / "binary.bin")
    assert "binary file" in error.message


def test_empty_file_is_refused():
    assert errors_of(DATA / "empty.txt") == [RecordError(str(DATA / "empty.txt"), 1, "empty file")]


def test_file_over_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("The mayor said that the ferry runs again.\n" * 100)
    (error,) = items_of(path, Limits(max_file_bytes=1000))
    assert error.line == 1 and "over the 1000 bytes limit" in error.message


def test_article_over_the_size_limit_is_refused():
    record = ArticleRecord(path="a.jsonl", line=4, text="word " * 300)
    error = prepare_record(record, limits=Limits(max_article_chars=1000))
    assert isinstance(error, RecordError) and error.line == 4 and "over the limit of 1,000" in error.message


def test_absurd_dates_are_refused_with_the_line():
    items = [prepare_record(r) for r in records_of(DATA / "absurd_date.jsonl")]
    assert [(i.line, "absurd" in i.message) for i in items if isinstance(i, RecordError)] == [(1, True), (2, True)]
    assert isinstance(items[2], PreparedArticle)


def test_unreadable_date_is_refused():
    error = prepare_record(ArticleRecord(path="a.csv", line=3, text="The mayor said so.", published="last Tuesday"))
    assert isinstance(error, RecordError) and "unreadable date" in error.message


def test_missing_path_is_an_error_not_an_exception(tmp_path):
    assert list(iter_inputs([str(tmp_path / "nope.json")])) == [
        RecordError(str(tmp_path / "nope.json"), 1, "no such file or directory")
    ]


def test_zip_members_are_labelled_archive_slash_member_and_junk_is_refused():
    items = items_of(DATA / "bundle.zip")
    label = str(DATA / "bundle.zip")
    records = [i for i in items if isinstance(i, ArticleRecord)]
    assert sorted({r.path for r in records}) == [f"{label}/bundle/list.json", f"{label}/bundle/notes.txt"]
    (error,) = [i for i in items if isinstance(i, RecordError)]
    assert error.path == f"{label}/bundle/junk.bin" and "binary" in error.message
    assert not any("__MACOSX" in i.path for i in items)


def test_folders_are_read_recursively_and_globs_expand(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.txt").write_text("Title\n\nThe mayor said that the ferry runs again.")
    (tmp_path / "a" / "y.txt").write_text("Other\n\nThe governor said that the road reopened.")
    (tmp_path / "a" / ".hidden.txt").write_text("Hidden\n\nThe governor said that nothing happened.")
    labels = [i.label for i in iter_inputs([str(tmp_path / "a")])]
    assert labels == [str(tmp_path / "a" / "y.txt"), str(tmp_path / "a" / "b" / "x.txt")] or labels == [
        str(tmp_path / "a" / "b" / "x.txt"),
        str(tmp_path / "a" / "y.txt"),
    ]
    assert [i.label for i in iter_inputs([str(tmp_path / "a" / "*.txt")])] == [str(tmp_path / "a" / "y.txt")]


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("notes.txt", '{"title": "x", "maintext": "y"}', "json"),
        ("feed", '<?xml version="1.0"?><rss version="2.0"><channel>', "feed"),
        ("page", "<!doctype html><html><body><p>x</p>", "html"),
        ("export", "title,body,url\nA,B,C\n", "csv"),
        ("lines", '{"title": "a"}\n{"title": "b"}\n', "jsonl"),
        ("photo.txt", "[Photo] The mayor said that the ferry runs again.", "txt"),
        ("feed.xml", "<feed xmlns='http://www.w3.org/2005/Atom'>", "feed"),
    ],
)
def test_format_is_recognised_by_content_as_well_as_extension(name, head, expected):
    assert detect_format(name, head) == expected


# --- dedupe keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("HTTPS://Example.COM:443/news/a/", "https://example.com/news/a"),
        ("https://example.com/a?utm_source=x&b=2&a=1#top", "https://example.com/a?a=1&b=2"),
        ("http://example.com:80/a?fbclid=1&gclid=2", "http://example.com/a"),
        ("https://example.com", "https://example.com/"),
    ],
)
def test_equivalent_urls_normalise_to_the_same_key(a, b):
    assert normalise_url(a) == normalise_url(b)


def test_different_urls_keep_different_keys():
    assert normalise_url("https://example.com/a?id=1") != normalise_url("https://example.com/a?id=2")
    assert normalise_url("https://example.com:8443/a") != normalise_url("https://example.com/a")


@pytest.mark.parametrize("url", ["", "ftp://example.com/a", "not a url", "https://", "http://[::1"])
def test_unusable_urls_give_no_key(url):
    assert normalise_url(url) is None


def test_bodies_differing_only_in_spacing_quotes_and_case_hash_the_same():
    assert content_hash("He said: “It’s  over.”\n\nThe END") == content_hash('he said: "it\'s over." the end')
    assert content_hash("He said it is over.") != content_hash("He said it is not over.")


# --- garbage never raises -----------------------------------------------------------------------

_LABELS = ["x.txt", "x.json", "x.jsonl", "x.csv", "x.html", "x.xml", "x.zip", "x", "x.rss"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=3000), label=st.sampled_from(_LABELS))
def test_garbage_bytes_through_every_parser_never_raise(data, label):
    for item in parse_bytes(label, data):
        assert isinstance(item, ArticleRecord | RecordError | SourceRegistry)


_PREFIXES = [
    "",
    "[",
    "{",
    '{"articles": [',
    '[{"maintext": "',
    "<rss><channel><item><description>",
    "<html>",
    "title,body\n",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=2000), prefix=st.sampled_from(_PREFIXES))
def test_garbage_text_through_each_format_parser_never_raises(text, prefix):
    text = prefix + text
    limits = Limits()
    for items in (
        parse_txt("x.txt", text),
        parse_jsonl("x.jsonl", io.StringIO(text), limits),
        parse_json("x.json", io.StringIO(text), limits),
        parse_csv("x.csv", io.StringIO(text), limits),
        parse_feed("x.xml", text),
        parse_html("x.html", text),
    ):
        for item in items:
            assert isinstance(item, ArticleRecord | RecordError | SourceRegistry)
            if isinstance(item, ArticleRecord):
                assert isinstance(prepare_record(item), PreparedArticle | RecordError)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
_article_keys = st.sampled_from(
    ["title", "maintext", "text", "content", "description", "url", "source", "publishedAt", "date", "language"]
)


@settings(max_examples=200, deadline=None)
@given(obj=st.dictionaries(_article_keys, _json_values, max_size=8))
def test_any_json_object_becomes_a_record_or_a_clear_error(obj):
    result = record_from_mapping("x.json", 1, obj)
    assert isinstance(result, ArticleRecord | RecordError)
    if isinstance(result, ArticleRecord):
        assert isinstance(prepare_record(result), PreparedArticle | RecordError)


def test_a_parser_that_cannot_read_its_stream_reports_instead_of_raising():
    class Broken(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            raise OSError("disk on fire")

    items = list(parse_input(Input("x.txt", 10, Broken)))
    assert len(items) == 1 and isinstance(items[0], RecordError) and "disk on fire" in items[0].message


# --- the service --------------------------------------------------------------------------------


@pytest.fixture
def seeded(db):
    return article_import(paths=[str(SEEDS)])


def test_importing_seeds_stores_two_articles_with_their_claims(seeded):
    assert seeded.summary == "imported 2, duplicates 0, failed 0"
    assert Article.objects.count() == 2
    assert Claim.objects.count() == seeded.claims > 10
    assert seeded.registries == [f"loaded source registry {SEEDS / 'sources.json'}: 35 sources"]


def test_stored_claims_are_exactly_what_the_extractor_found(seeded):
    for article in Article.objects.all():
        expected = extract_claims(article.body, title=article.title, language=article.language)
        stored = {
            (c.start, c.end): c
            for c in Claim.objects.filter(article=article).select_related("source", "source__affiliation")
        }
        assert len(stored) == len(expected)
        for e in expected:
            claim = stored[(e.start, e.end)]
            assert claim.text == article.body[e.start : e.end] == e.text
            assert (claim.hedged, claim.cue, claim.via) == (e.hedged, e.cue, e.via)
            assert claim.status_hint == (e.status_hint or "")
            assert claim.status == "unverified" and claim.created_by is None


def test_claim_sources_resolve_through_the_registry_aliases(seeded):
    hur = Source.objects.get(name="Main Intelligence Directorate of the Ministry of Defense of Ukraine")
    cnr = Source.objects.get(name="Center of National Resistance")
    assert Claim.objects.filter(source=hur).exists()
    assert Claim.objects.filter(source=cnr).count() >= 3
    assert (hur.reliability, hur.kind) == ("C", "organization")
    # "HUR replied: This information is currently being clarified."
    assert Claim.objects.filter(source=hur, status_hint="being_clarified").exists()


def test_a_spokesman_is_affiliated_with_the_organisation_he_speaks_for(seeded):
    yusov = Source.objects.get(name="Andriy Yusov")
    assert yusov.affiliation.name == "Main Intelligence Directorate of the Ministry of Defense of Ukraine"


def test_publisher_hint_in_the_text_becomes_an_outlet(seeded):
    article = Article.objects.get(title__startswith="Defense Intelligence of Ukraine prepared")
    assert article.publisher.name == "RBC-Ukraine"
    assert article.publisher.kind == "outlet"


def test_original_text_is_kept_unchanged(seeded):
    article = Article.objects.get(title__startswith="Defense Intelligence of Ukraine prepared")
    assert article.original_text == (SEEDS / "002_6f2129f11252ae90.txt").read_text(encoding="utf-8")


def test_reimporting_the_seeds_creates_nothing(seeded):
    counts = (Article.objects.count(), Claim.objects.count(), Source.objects.count(), SourceAlias.objects.count())
    again = article_import(paths=[str(SEEDS)])
    assert again.summary == "imported 0, duplicates 2, failed 0"
    assert (
        Article.objects.count(),
        Claim.objects.count(),
        Source.objects.count(),
        SourceAlias.objects.count(),
    ) == counts


def test_registry_load_keeps_an_analysts_grade(seeded):
    Source.objects.filter(name="Reuters").update(reliability="A")
    article_import(paths=[str(SEEDS / "sources.json")])
    assert Source.objects.get(name="Reuters").reliability == "A"


def test_registry_entries_that_are_wrong_are_reported_by_number(db, tmp_path):
    path = tmp_path / "registry.json"
    path.write_text(
        json.dumps({"sources": [{"name": "Good One", "kind": "outlet"}, {"name": "Bad", "reliability": "Z"}]})
    )
    report = article_import(paths=[str(path)])
    assert report.errors == [f"{path}:2: unknown reliability 'Z' for 'Bad' (use A-F)"]
    assert Source.objects.filter(name="Good One", kind="outlet").exists()


def test_same_article_in_another_format_is_a_duplicate(db, tmp_path):
    body = "The regional governor said that 14 drones were shot down overnight.\n\nNobody was hurt, officials said."
    (tmp_path / "a.jsonl").write_text(json.dumps({"title": "Drones", "maintext": body}) + "\n")
    csv_body = body.replace("\n\n", "\n").upper().replace("14", "14 ")
    (tmp_path / "b.csv").write_text('title,body\nDrones again,"' + csv_body + '"\n')
    assert article_import(paths=[str(tmp_path / "a.jsonl")]).imported == 1
    report = article_import(paths=[str(tmp_path / "b.csv")])
    assert report.summary == "imported 0, duplicates 1, failed 0"


def test_same_url_with_tracking_parameters_is_a_duplicate(db, tmp_path):
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"title": "A", "maintext": "The mayor said one thing.", "url": "https://Example.com/a/"})
        + "\n"
        + json.dumps(
            {"title": "A2", "maintext": "The mayor said another thing.", "url": "https://example.com/a?utm_source=x"}
        )
        + "\n"
    )
    report = article_import(paths=[str(tmp_path / "a.jsonl")])
    assert report.summary == "imported 1, duplicates 1, failed 0"
    assert Article.objects.get().url_key == "https://example.com/a"


def test_same_article_twice_in_one_file_is_stored_once(db, tmp_path):
    line = json.dumps({"title": "A", "maintext": "The mayor said that the ferry runs again."})
    (tmp_path / "twice.jsonl").write_text(f"{line}\n{line}\n")
    report = article_import(paths=[str(tmp_path / "twice.jsonl")])
    assert (report.imported, report.duplicates) == (1, 1)
    assert Article.objects.count() == 1


def test_mixed_file_imports_the_good_lines_and_reports_the_broken_ones(db):
    path = DATA / "mixed.jsonl"
    report = article_import(paths=[str(path)])
    assert report.summary == "imported 3, duplicates 0, failed 3"
    assert [e.split(": ")[0] for e in report.errors] == [f"{path}:3", f"{path}:5", f"{path}:6"]
    assert Article.objects.count() == 3


def test_dry_run_reports_the_same_and_writes_nothing(db):
    before = [m.objects.count() for m in (Article, Claim, Source, SourceAlias, ImportJob, AuditEvent)]
    dry = article_import(paths=[str(DATA), str(SEEDS)], dry_run=True)
    assert [m.objects.count() for m in (Article, Claim, Source, SourceAlias, ImportJob, AuditEvent)] == before
    real = article_import(paths=[str(DATA), str(SEEDS)])
    assert (dry.imported, dry.duplicates, dry.failed, dry.errors) == (
        real.imported,
        real.duplicates,
        real.failed,
        real.errors,
    )
    assert dry.claims == real.claims


def test_every_import_has_a_job_with_counts_errors_and_an_audit_event(db, staff):
    report = article_import(paths=[str(DATA / "mixed.jsonl")], user=staff)
    job = ImportJob.objects.get()
    assert report.job == job
    assert (job.state, job.total, job.processed, job.imported, job.duplicates, job.failed) == ("done", 6, 6, 3, 0, 3)
    assert job.errors == report.errors
    assert job.started_at and job.finished_at and job.created_by == staff
    assert set(Article.objects.values_list("import_job", flat=True)) == {job.pk}
    event = AuditEvent.objects.get(action="import")
    assert (event.actor, event.object_id, event.details["imported"]) == (staff, str(job.pk), 3)


def test_an_extractor_crash_rejects_the_article_instead_of_storing_half(db, monkeypatch, tmp_path):
    def boom(*args, **kwargs):
        raise ValueError("bug")

    monkeypatch.setattr(extraction_pool, "extract_claims", boom)
    (tmp_path / "a.txt").write_text("Title\n\nThe mayor said that the ferry runs again.")
    report = article_import(paths=[str(tmp_path / "a.txt")])
    assert report.errors == [f"{tmp_path / 'a.txt'}:1: claim extraction failed (ValueError)"]
    assert Article.objects.count() == 0


def test_an_article_stored_meanwhile_by_someone_else_counts_as_a_duplicate(db, tmp_path):
    """The unique constraints decide: a lost race is a duplicate, not an error."""
    (tmp_path / "a.txt").write_text("Title\n\nThe mayor said that the ferry runs again.")
    (record,) = records_of(tmp_path / "a.txt")
    article = prepared(record)
    Article.objects.create(
        title="x", body=article.body, original_text="x", content_hash=article.content_hash, url_key=None
    )
    run = import_service._Run(
        report=import_service.ImportReport(), limits=Limits(), job=None, progress=None, total=1, extraction="here"
    )
    ((outcome, article_id, _),) = run._write([run._ready(article)])  # the batch fails, the retry sees why
    assert article_id is None
    assert (outcome.outcome, outcome.message) == ("duplicate", "stored by a concurrent import")
    assert Article.objects.count() == 1


def test_an_interrupted_job_resumes_without_duplicating(db, monkeypatch, staff):
    real_extract = extraction_pool.extract_claims
    calls = {"n": 0}

    def killed_after_two(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # the worker is killed mid-way
        return real_extract(*args, **kwargs)

    monkeypatch.setattr(import_service, "BATCH_SIZE", 1)
    monkeypatch.setattr(extraction_pool, "extract_claims", killed_after_two)
    job = ImportJob.objects.create(created_by=staff, files=[str(DATA / "other_order.csv"), str(DATA / "mixed.jsonl")])
    with pytest.raises(KeyboardInterrupt):
        article_import(paths=job.files, user=staff, job=job)
    job.refresh_from_db()
    # Articles are stored before their claims: the third is stored, its claims are still to come.
    assert job.state == "failed" and Article.objects.count() == 3
    assert Article.objects.filter(extracted_at__isnull=True).count() == 1

    monkeypatch.setattr(extraction_pool, "extract_claims", real_extract)
    report = article_import(paths=job.files, user=staff, job=job)
    job.refresh_from_db()
    assert Article.objects.count() == 5
    assert not Article.objects.filter(extracted_at__isnull=True).exists()
    assert Claim.objects.filter(article__import_job=job).count() == sum(
        len(extract_claims(a.body, title=a.title, language=a.language)) for a in Article.objects.all()
    )
    assert (job.state, job.imported, job.duplicates, job.failed) == ("done", 5, 0, 4)
    assert report.summary == "imported 5, duplicates 0, failed 4"


def test_progress_callback_reaches_the_total(db):
    seen = []
    article_import(paths=[str(DATA / "mixed.jsonl")], progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (6, 6)
    assert seen == sorted(seen)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_imports_of_the_same_files_store_each_article_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so two imports cannot race on it")
    paths = [str(DATA / "mixed.jsonl"), str(DATA / "other_order.csv"), str(DATA / "bundle.zip"), str(SEEDS)]
    reports, failures = [], []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            reports.append(article_import(paths=paths))
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    unique = Article.objects.count()
    assert unique == 10
    assert sum(r.imported for r in reports) == unique
    assert sum(r.duplicates for r in reports) == unique
    assert Article.objects.values("content_hash").distinct().count() == unique
