"""Synthetic demo data at scale: articles, a source registry, claims and decision histories.

Used by `manage.py generate_demo_data` (benchmarks, demos, the EXPLAIN test). Everything written
keeps the invariants `verify_integrity` checks: a claim's text is body[start:end], its status is its
latest decision's, its version the number of its decisions. Rows are generated in batches with
explicit primary keys taken from the table's own sequence, then written with COPY on PostgreSQL and
bulk_create elsewhere, one transaction per batch.

The articles are invented conflict reporting, each marked as a Verifier demo article; outlets use
the reserved `.example` domain.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.utils import timezone

from claims.importing.normalise import content_hash, normalise_url
from claims.models import Article, Claim, Source, SourceAlias, Status, VerificationStatus

ANALYSTS_GROUP = "Analysts"
DEMO_ANALYSTS = [f"demo.analyst{i}" for i in range(1, 9)]
# The registry is the same on every run (its own fixed seed), so a second run reuses it.
REGISTRY_SEED = 20261122
TARGET_CLAIMS_PER_BATCH = 20_000

# --- vocabulary ------------------------------------------------------------------------------

# (English, Ukrainian, Russian) place names.
CITIES = [
    ("Kharkiv", "Харків", "Харьков"),
    ("Kherson", "Херсон", "Херсон"),
    ("Zaporizhzhia", "Запоріжжя", "Запорожье"),
    ("Dnipro", "Дніпро", "Днепр"),
    ("Odesa", "Одеса", "Одесса"),
    ("Mykolaiv", "Миколаїв", "Николаев"),
    ("Sumy", "Суми", "Сумы"),
    ("Chernihiv", "Чернігів", "Чернигов"),
    ("Kramatorsk", "Краматорськ", "Краматорск"),
    ("Sloviansk", "Слов'янськ", "Славянск"),
    ("Pokrovsk", "Покровськ", "Покровск"),
    ("Kupiansk", "Куп'янськ", "Купянск"),
    ("Nikopol", "Нікополь", "Никополь"),
    ("Kryvyi Rih", "Кривий Ріг", "Кривой Рог"),
    ("Poltava", "Полтава", "Полтава"),
    ("Izmail", "Ізмаїл", "Измаил"),
    ("Kyiv", "Київ", "Киев"),
    ("Lviv", "Львів", "Львов"),
    ("Vinnytsia", "Вінниця", "Винница"),
    ("Bilhorod-Dnistrovskyi", "Білгород-Дністровський", "Белгород-Днестровский"),
]
REGIONS = [
    "Kharkiv",
    "Kherson",
    "Zaporizhzhia",
    "Dnipropetrovsk",
    "Odesa",
    "Mykolaiv",
    "Sumy",
    "Chernihiv",
    "Donetsk",
    "Luhansk",
    "Poltava",
    "Kyiv",
    "Lviv",
    "Vinnytsia",
    "Zhytomyr",
    "Cherkasy",
    "Kirovohrad",
    "Khmelnytskyi",
    "Rivne",
    "Volyn",
    "Ternopil",
    "Ivano-Frankivsk",
    "Zakarpattia",
    "Chernivtsi",
]
VILLAGES = [
    "Robotyne",
    "Vuhledar",
    "Klishchiivka",
    "Andriivka",
    "Synkivka",
    "Krynky",
    "Novoselivka",
    "Staromaiorske",
    "Tabaivka",
    "Ivanivske",
    "Berdychi",
    "Orikhiv",
    "Vovchansk",
    "Lyptsi",
    "Toretsk",
    "Kurakhove",
]
RIVERS = ["Dnipro", "Oskil", "Siverskyi Donets", "Vovcha", "Inhulets", "Desna"]
FACILITIES = [
    "a power substation",
    "a grain warehouse",
    "a fuel depot",
    "a railway depot",
    "a school building",
    "a hospital annex",
    "a water pumping station",
    "a port terminal",
    "a bakery",
    "an administrative building",
    "an apartment block",
    "a bus station",
]

# Propositions, past tense. Slots: n, m, city, region, village, river, facility.
PROPOSITIONS_EN = [
    "{n} drones were shot down over {region} region overnight",
    "{facility} in {city} was damaged by a missile strike",
    "{n} civilians were injured in the shelling of {city}",
    "Russian forces attempted to advance near {village} {n} times over the past day",
    "the power supply in {city} had been restored by the morning",
    "an ammunition depot near {city} was destroyed",
    "{n} people, including {m} children, were evacuated from {city}",
    "the bridge over the {river} near {village} remained passable",
    "air defence units intercepted {n} cruise missiles launched from the Black Sea",
    "the situation on the {city} axis remained difficult but under control",
    "there were no casualties after the attack on {city}",
    "a humanitarian convoy of {n} lorries reached {city}",
    "a prisoner exchange involving {n} servicemen had taken place",
    "{n} settlements in {region} region were left without electricity",
    "the strike hit {facility} in the centre of {city}",
    "the railway line between {city} and {village} was cut for several hours",
    "{n} tanks and {m} armoured vehicles were destroyed in the past day",
    "units had withdrawn to prepared positions west of {village}",
    "the port of {city} was targeted by {n} attack drones",
    "fuel shortages were reported at filling stations across {region} region",
    "a fire broke out at {facility} in {city} after debris fell",
    "{n} guided aerial bombs were dropped on {village} in a single day",
    "mobile network coverage in {city} was disrupted after the strike",
    "the enemy had lost around {n} soldiers near {village}",
    "a sabotage group was detained on the outskirts of {city}",
    "the dam on the {river} had not been damaged",
    "{n} residential buildings in {city} had their windows blown out",
    "the curfew in {city} would be extended by {m} hours",
    "demining of farmland around {village} would take at least {n} months",
    "the counteroffensive near {village} had stalled because of minefields",
]
PROPOSITIONS_UK = [
    "у місті {city} пошкоджено {n} житлових будинків",
    "над областю збито {n} ударних безпілотників",
    "у місті {city} частково відновлено електропостачання",
    "внаслідок обстрілу поранено {n} цивільних",
    "з міста {city} евакуйовано {n} людей",
    "ворог {n} разів намагався наступати поблизу села {village}",
]
PROPOSITIONS_RU = [
    "в городе {city} повреждены {n} жилых домов",
    "над областью сбиты {n} беспилотников",
    "в городе {city} частично восстановлено электроснабжение",
    "в результате обстрела ранены {n} мирных жителей",
    "из города {city} эвакуированы {n} человек",
]

# Attribution frames: (template, cue, hedged, needs_via). {s} is the source as named, {p} the
# proposition, {P} the proposition capitalised, {v} the intermediary.
FRAMES_EN = [
    ("{s} said that {p}.", "said", False, False),
    ("According to {s}, {p}.", "according to", False, False),
    ("“{P},” {s} said.", "said", False, False),
    ("{s} reported that {p}.", "reported", False, False),
    ("{P}, {s} reported.", "reported", False, False),
    ("{s} told reporters that {p}.", "told", False, False),
    ("In a statement on Telegram, {s} said {p}.", "said", False, False),
    ("{s} wrote on Telegram that {p}.", "wrote", False, False),
    ("{s} confirmed that {p}.", "confirmed", False, False),
    ("{s} denied that {p}.", "denied", False, False),
    ("{s} claimed that {p}.", "claimed", True, False),
    ("{P}, {s} said, without providing evidence.", "said", True, False),
    ("According to unconfirmed reports from {s}, {p}.", "according to", True, False),
    ("{s} suggested that {p}.", "suggested", True, False),
    ("{P}, {s} alleged.", "alleged", True, False),
    ("{s} said it was likely that {p}.", "said", True, False),
    ("{s} reported, citing {v}, that {p}.", "reported", False, True),
    ("Citing {v}, {s} reported that {p}.", "reported", False, True),
    ("{s} said, citing unconfirmed information from {v}, that {p}.", "said", True, True),
]
FRAMES_UK = [
    ("{s} повідомляє, що {p}.", "повідомляє", False, False),
    ("Як повідомляє {s}, {p}.", "як повідомляє", False, False),
    ("«{P}», — повідомляє {s}.", "повідомляє", False, False),
    ("За неперевіреними даними, які поширює {s}, {p}.", "за даними", True, False),
]
FRAMES_RU = [
    ("{s} сообщает, что {p}.", "сообщает", False, False),
    ("Как сообщает {s}, {p}.", "как сообщает", False, False),
    ("«{P}», — сообщает {s}.", "сообщает", False, False),
    ("По неподтверждённым данным, которые распространяет {s}, {p}.", "по данным", True, False),
]
FILLER_EN = [
    "The area has come under regular fire since the spring.",
    "Fighting continued along much of the front line.",
    "Residents were advised to stay close to shelters.",
    "The claims could not be independently verified.",
    "Neither side commented on the reports immediately.",
    "Air raid alerts sounded across the east of the country for most of the night.",
    "Schools in the city have taught online since the start of the full-scale invasion.",
    "The information is being clarified.",
    "Earlier in the week, officials had warned of a possible escalation.",
    "Satellite imagery of the area was not yet available.",
]
FILLER_UK = ["Інформація уточнюється.", "Бої тривають уздовж усієї лінії фронту."]
FILLER_RU = ["Информация уточняется.", "Бои продолжаются вдоль всей линии фронта."]
HEADLINES_EN = [
    "{city}: overnight attack leaves damage",
    "Drones over {region} region",
    "Fighting near {village} intensifies",
    "Evacuation from {city} continues",
    "Power restored in parts of {city}",
    "What we know about the strike on {city}",
    "Front-line update: the {city} axis",
    "Officials dispute reports from {village}",
]
HEADLINES_UK = ["{city}: наслідки нічної атаки", "Ситуація у місті {city}", "Евакуація з міста {city} триває"]
HEADLINES_RU = ["{city}: последствия ночной атаки", "Ситуация в городе {city}"]
NOTES = [
    "",
    "",
    "",
    "Matches the regional administration's morning report.",
    "Geolocated footage supports the claim.",
    "Waiting for a second, independent source.",
    "Contradicted by satellite imagery from the same day.",
    "The source retracted part of the statement.",
]
FIRST_NAMES = [
    "Oleh",
    "Iryna",
    "Andriy",
    "Natalia",
    "Serhiy",
    "Olena",
    "Dmytro",
    "Yulia",
    "Vitaliy",
    "Kateryna",
    "Mykola",
    "Oksana",
    "Taras",
    "Halyna",
    "Yuriy",
    "Svitlana",
    "Igor",
    "Marina",
    "Pavel",
    "Anna",
    "John",
    "Sarah",
    "Michael",
    "Claire",
    "Thomas",
]
LAST_NAMES = [
    "Marchenko",
    "Kovalenko",
    "Bondarenko",
    "Tkachenko",
    "Kravchenko",
    "Shevchuk",
    "Polishchuk",
    "Lysenko",
    "Moroz",
    "Savchenko",
    "Rudenko",
    "Petrenko",
    "Hnatiuk",
    "Melnyk",
    "Oliynyk",
    "Sokolov",
    "Volkov",
    "Fedorov",
    "Morozova",
    "Harrison",
    "Whitfield",
    "Brennan",
    "Lindqvist",
    "Okafor",
    "Delacroix",
]
OUTLET_PLACES = ["Kyiv", "Northern", "Eastern", "Black Sea", "Danube", "Carpathian", "Dnipro", "Steppe", "Baltic"]
OUTLET_NOUNS = ["Ledger", "Courier", "Dispatch", "Herald", "Observer", "Monitor", "Wire", "Gazette", "Post"]
# (name, aliases, kind, grade)
FIXED_SOURCES = [
    ("General Staff of the Armed Forces of Ukraine", ["Ukrainian General Staff", "Генштаб ЗСУ"], "organization", "B"),
    ("Ministry of Defence of Ukraine", ["Ukrainian Ministry of Defence", "Міноборони"], "organization", "B"),
    ("Russian Ministry of Defence", ["Russian MoD", "Минобороны России"], "organization", "D"),
    ("Ukrainian Air Force", ["Air Force Command", "Повітряні сили"], "organization", "B"),
    ("Ukrainian Navy", ["Naval Forces of Ukraine"], "organization", "B"),
    ("Southern Defence Forces", ["Operational Command South"], "organization", "B"),
    ("State Emergency Service of Ukraine", ["SES of Ukraine", "ДСНС"], "organization", "A"),
    ("National Police of Ukraine", ["Національна поліція"], "organization", "B"),
    ("Security Service of Ukraine", ["SBU", "СБУ"], "organization", "C"),
    ("Main Intelligence Directorate", ["HUR", "Defence Intelligence of Ukraine"], "organization", "C"),
    ("Center of National Resistance", ["CNR"], "organization", "D"),
    ("Kremlin", ["Kremlin press service"], "organization", "E"),
    ("International Atomic Energy Agency", ["IAEA"], "organization", "A"),
    ("UN Human Rights Monitoring Mission in Ukraine", ["HRMMU"], "organization", "A"),
    ("Institute for the Study of War", ["ISW"], "organization", "B"),
    ("Ukrenergo", ["Укренерго"], "organization", "B"),
    ("Ukrainian Railways", ["Ukrzaliznytsia", "Укрзалізниця"], "organization", "B"),
    ("Wagner Group", ["PMC Wagner", "Вагнер"], "group", "E"),
    ("Hajun monitoring project", ["Belarusian Hajun"], "group", "C"),
    ("Atesh partisan movement", ["Atesh"], "group", "D"),
    ("Yellow Ribbon movement", ["Yellow Ribbon"], "group", "D"),
    ("Russian-installed authorities in Zaporizhzhia region", [], "group", "E"),
    ("Russian-installed authorities in Kherson region", [], "group", "E"),
    ("Russian war bloggers", ["pro-Kremlin military bloggers"], "group", "E"),
    ("Ukrainian partisans", [], "group", "D"),
    ("Rybar Telegram channel", ["Rybar"], "group", "E"),
    ("local residents", ["residents"], "unnamed", "F"),
    ("a source in the General Staff", [], "unnamed", "F"),
    ("a military source", [], "unnamed", "F"),
    ("local media", ["local outlets"], "unnamed", "F"),
    ("eyewitnesses", [], "unnamed", "F"),
    ("Telegram channels", ["Telegram monitoring channels"], "unnamed", "F"),
    ("officials", ["unnamed officials"], "unnamed", "F"),
    ("a Western intelligence official", [], "unnamed", "F"),
    ("General Staff morning report", ["the morning report"], "document", "B"),
    ("IAEA Board of Governors report", [], "document", "A"),
    ("HRMMU periodic report", [], "document", "A"),
    ("leaked Russian MoD memo", [], "document", "E"),
    ("Ministry of Health casualty bulletin", [], "document", "B"),
    ("court filing in the Hague", [], "document", "B"),
    ("satellite imagery analysis by Meridian Geo", ["Meridian Geo"], "document", "C"),
    ("Ukrainian Air Force daily summary", [], "document", "B"),
]
KIND_GRADES = {
    "outlet": "ABBBCCCDE",
    "organization": "BBCCDF",
    "person": "BCCDDEF",
    "group": "CDDEE",
    "document": "ABCF",
    "unnamed": "FFFE",
}
PERSON_ROLES = ["spokesperson", "head", "adviser", "press officer"]
# Names that read without "the" in running text.
NO_ARTICLE = ("Russian-installed", "Russian war", "Ukrainian partisans", "Ukrenergo", "Ukrainian Railways")


@dataclass(slots=True)
class DemoSource:
    pk: int
    name: str
    kind: str
    mention: str  # how articles name it in English
    mention_uk: str
    mention_ru: str


@dataclass
class DemoReport:
    articles: int = 0
    claims: int = 0
    decisions: int = 0
    sources_created: int = 0
    sources: int = 0
    analysts: int = 0
    seed: int = 0
    seconds: float = 0.0
    status_counts: dict = field(default_factory=dict)

    @property
    def summary(self) -> str:
        return (
            f"generated {self.articles} articles, {self.claims} claims, {self.decisions} decisions "
            f"({self.sources_created} new sources, {self.sources} in use, {self.analysts} demo analysts) "
            f"in {self.seconds:.1f} s with seed {self.seed}"
        )


# --- the source registry -----------------------------------------------------------------------


def _registry_specs() -> list[tuple[str, list[str], str, str, str | None, str]]:
    """The demo registry: (name, aliases, kind, grade, affiliation name, role phrase); same every run."""
    rng = random.Random(REGISTRY_SEED)
    specs = []
    for name, aliases, kind, grade in FIXED_SOURCES:
        specs.append((name, aliases, kind, grade, None, ""))
    for region in REGIONS:
        specs.append((f"{region} Regional Military Administration", [f"{region} RMA"], "organization", "B", None, ""))
    for city, _uk, _ru in CITIES:
        specs.append((f"{city} City Council", [f"{city} city authorities"], "organization", "C", None, ""))
    outlets = [f"{a} {b}" for a in OUTLET_PLACES for b in OUTLET_NOUNS]
    rng.shuffle(outlets)
    for name in sorted(outlets[:45]):
        domain = name.lower().replace(" ", "") + ".example"
        specs.append((name, [domain], "outlet", rng.choice(KIND_GRADES["outlet"]), None, ""))
    orgs = [s[0] for s in specs if s[2] == "organization"]
    people = [(f, la) for f in FIRST_NAMES for la in LAST_NAMES]
    rng.shuffle(people)
    for first, last in people[:160]:
        org = rng.choice(orgs)
        role = rng.choice(PERSON_ROLES)
        specs.append(
            (f"{first} {last}", [f"{first[0]}. {last}"], "person", rng.choice(KIND_GRADES["person"]), org, role)
        )
    return specs


def _ensure_registry(normalise: Callable[[str], str]) -> tuple[list[DemoSource], int]:
    """Create the demo sources that do not exist yet (by name); add their free aliases; return all of them."""
    specs = _registry_specs()
    taken = dict(SourceAlias.objects.values_list("normalized", "source_id"))
    by_lower_name = {name.lower(): pk for pk, name in Source.objects.values_list("pk", "name")}
    resolved: dict[str, int] = {}
    created = 0
    for name, aliases, kind, grade, _aff, _role in specs:
        # Reuse a source of the same name (also one an import created); aliases are only added when free.
        pk = by_lower_name.get(name.lower()) or taken.get(normalise(name))
        if pk is None:
            source = Source.objects.create(name=name, kind=kind, reliability=grade)
            pk = source.pk
            by_lower_name[name.lower()] = pk
            created += 1
        resolved[name] = pk
        new_aliases = []
        for alias in (name, *aliases):
            key = normalise(alias)
            if key and key not in taken:
                taken[key] = pk
                new_aliases.append(SourceAlias(source_id=pk, name=alias, normalized=key))
        SourceAlias.objects.bulk_create(new_aliases)
    # Affiliations: a spokesperson speaks for an organisation (only set where still empty).
    for name, _aliases, _kind, _grade, aff, _role in specs:
        if aff:
            Source.objects.filter(pk=resolved[name], affiliation__isnull=True).exclude(pk=resolved[aff]).update(
                affiliation_id=resolved[aff]
            )
    uk_names, ru_names = {}, {}
    for name, aliases, _kind, _grade, _aff, _role in specs:
        for alias in aliases:
            if any("\u0400" <= ch <= "\u04ff" for ch in alias):
                # The first Cyrillic alias: Ukrainian for the Ukrainian outfits, Russian otherwise.
                (ru_names if "Росси" in alias or name.startswith("Russian") else uk_names).setdefault(name, alias)
    out = []
    for name, _aliases, kind, _grade, aff, role in specs:
        if kind == "person":
            mention = f"{aff} {role} {name}"
        elif kind in {"outlet", "unnamed"} or name[0].islower() or name.startswith(NO_ARTICLE):
            mention = name
        else:
            mention = f"the {name}"
        out.append(
            DemoSource(
                pk=resolved[name],
                name=name,
                kind=kind,
                mention=mention,
                mention_uk=uk_names.get(name, name),
                mention_ru=ru_names.get(name, uk_names.get(name, name)),
            )
        )
    return out, created


def _ensure_analysts() -> list[int]:
    group, _ = Group.objects.get_or_create(name=ANALYSTS_GROUP)
    pks = []
    for username in DEMO_ANALYSTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name="Demo", last_name=username.removeprefix("demo."))
            user.set_unusable_password()  # demo identities only; nobody signs in as them
            user.save()
        user.groups.add(group)
        pks.append(user.pk)
    return pks


def _default_normalise(name: str) -> str:
    from claims.extraction import normalise_source_name

    return normalise_source_name(name)


# --- writing -----------------------------------------------------------------------------------


# The fields each generated row fills, in row order. Named, not taken from the model, so that a field
# added later with a default (or a database default) does not shift the rows.
ARTICLE_FIELDS = (
    "id",
    "title",
    "body",
    "original_text",
    "url",
    "url_key",
    "publisher_id",
    "published_at",
    "language",
    "content_hash",
    "import_job_id",
    "created_at",
    "updated_at",
)
CLAIM_FIELDS = (
    "id",
    "article_id",
    "start",
    "end",
    "text",
    "source_id",
    "via",
    "hedged",
    "cue",
    "status_hint",
    "status",
    "version",
    "assignee_id",
    "created_by_id",
    "created_at",
    "updated_at",
)
DECISION_FIELDS = ("id", "claim_id", "status", "version", "analyst_id", "note", "evidence_url", "created_at")


def _reserve_ids(model, n: int) -> list[int]:
    """n fresh primary keys for `model`, taken from its sequence (PostgreSQL) or above its max id."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        top = cursor.fetchone()[0]
    return list(range(top + 1, top + 1 + n))


def _write(model, fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert rows (tuples in `fields` order): COPY on PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        qn = connection.ops.quote_name
        columns = ", ".join(qn(model._meta.get_field(name).column) for name in fields)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=500)


# --- generation --------------------------------------------------------------------------------


class _Generator:
    def __init__(self, *, rng: random.Random, sources: list[DemoSource], analysts: list[int], now: datetime):
        self.rng = rng
        self.now = now
        self.analysts = analysts
        self.outlets = [s for s in sources if s.kind == "outlet"]
        self.speakers = [s for s in sources if s.kind != "outlet"]
        self.vias = [s for s in sources if s.kind in {"outlet", "unnamed", "group"}]
        # A few sources make most claims, as in real reporting (Zipf-like weights).
        order = list(range(len(self.speakers)))
        random.Random(REGISTRY_SEED).shuffle(order)
        weights = [0.0] * len(order)
        for rank, i in enumerate(order):
            weights[i] = 1.0 / (rank + 1) ** 0.9
        total, acc = sum(weights), 0.0
        self.speaker_cum = []
        for w in weights:
            acc += w / total
            self.speaker_cum.append(acc)

    def _slots(self, lang_index: int) -> dict:
        rng = self.rng
        n = rng.randint(2, 60)
        return {
            "n": n,
            "m": rng.randint(1, max(1, n // 2)),
            "city": rng.choice(CITIES)[lang_index],
            "region": rng.choice(REGIONS),
            "village": rng.choice(VILLAGES),
            "river": rng.choice(RIVERS),
            "facility": rng.choice(FACILITIES),
        }

    def article(self, *, article_id: int, n_claims: int):
        """One article row and its claims as (start, end, text, source_pk, via, hedged, cue, hint)."""
        rng = self.rng
        r = rng.random()
        lang, li = ("en", 0) if r < 0.85 else ("uk", 1) if r < 0.95 else ("ru", 2)
        props, frames, filler, headlines = {
            "en": (PROPOSITIONS_EN, FRAMES_EN, FILLER_EN, HEADLINES_EN),
            "uk": (PROPOSITIONS_UK, FRAMES_UK, FILLER_UK, HEADLINES_UK),
            "ru": (PROPOSITIONS_RU, FRAMES_RU, FILLER_RU, HEADLINES_RU),
        }[lang]
        publisher = rng.choice(self.outlets)
        published = self.now - timedelta(seconds=rng.uniform(3600, 730 * 86400))
        imported = min(self.now, published + timedelta(seconds=rng.uniform(600, 2 * 86400)))
        title = rng.choice(headlines).format(**self._slots(li))

        parts: list[str] = []
        pos = 0
        claims = []
        sentences_in_paragraph = 0
        n_filler = rng.randint(1, 2 + n_claims // 3)
        kinds = [True] * n_claims + [False] * n_filler
        rng.shuffle(kinds)
        used = set()
        for is_claim in kinds:
            if sentences_in_paragraph and (sentences_in_paragraph >= 3 or rng.random() < 0.45):
                parts.append("\n\n")
                pos += 2
                sentences_in_paragraph = 0
            elif sentences_in_paragraph:
                parts.append(" ")
                pos += 1
            if is_claim:
                speaker = self.speakers[_bisect(self.speaker_cum, rng.random())]
                template, cue, hedged, needs_via = rng.choice(frames)
                via = rng.choice(self.vias).name if needs_via else ""
                p = rng.choice(props).format(**self._slots(li))
                named = (speaker.mention, speaker.mention_uk, speaker.mention_ru)[li]
                if template.startswith("{s}"):
                    named = named[0].upper() + named[1:]
                sentence = template.format(s=named, p=p, P=p[0].upper() + p[1:], v=via)
                if sentence in used:  # the same sentence twice in one article reads wrong
                    sentence = sentence[:-1] + (", officials added." if lang == "en" else ".")
                used.add(sentence)
                hint = Status.BEING_CLARIFIED if hedged else ""
                claims.append((pos, pos + len(sentence), sentence, speaker.pk, via, hedged, cue, hint))
            else:
                sentence = rng.choice(filler)
            parts.append(sentence)
            pos += len(sentence)
            sentences_in_paragraph += 1
        # Marks the article as synthetic and keeps every body unique (the id is never reused).
        marker = f"\n\n(Verifier demo article {article_id}.)"
        parts.append(marker)
        body = "".join(parts)
        slug = "-".join(title.lower().replace(":", "").split()[:6]) if lang == "en" else "news"
        domain = publisher.name.lower().replace(" ", "") + ".example"
        url = f"https://{domain}/{published:%Y/%m/%d}/{slug}-{article_id}"
        row = (
            article_id,
            title,
            body,
            body,
            url,
            normalise_url(url),
            publisher.pk,
            published,
            lang,
            content_hash(body),  # as the importer computes it, so re-importing finds the duplicate
            None,
            imported,
            imported,
        )
        return row, claims, imported

    def history(self, created: datetime) -> list[tuple[str, int, datetime, str]]:
        """Decisions for one claim: (status, analyst, created_at, note); 55% none."""
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            return []
        if r < 0.80:
            statuses = [Status.CONFIRMED]
        elif r < 0.95:
            statuses = [Status.BEING_CLARIFIED]
        else:
            statuses = [Status.BEING_CLARIFIED] + [
                rng.choice((Status.CONFIRMED, Status.UNVERIFIED, Status.BEING_CLARIFIED))
                for _ in range(rng.randint(1, 2))
            ]
        span = max(60.0, (self.now - created).total_seconds())
        out = []
        at = created
        for status in statuses:
            at = at + timedelta(seconds=rng.uniform(30, span / (len(statuses) + 1)))
            out.append((str(status), rng.choice(self.analysts), at, rng.choice(NOTES)))
        return out


def _bisect(cum: list[float], x: float) -> int:
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def demo_generate(
    *,
    articles: int,
    claims_per_article: int,
    seed: int | None = None,
    normalise: Callable[[str], str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoReport:
    """Add `articles` synthetic articles with `claims_per_article` claims each, plus decisions.

    Safe to call again: sources and demo analysts are reused, new articles get fresh ids, URLs and
    bodies. Commits once per batch of about 20,000 claims.
    """
    if articles < 0 or claims_per_article < 0:
        raise ValueError("--articles and --claims-per-article must not be negative.")
    started = time.monotonic()
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    report = DemoReport(seed=seed, status_counts=dict.fromkeys(Status.values, 0))
    with transaction.atomic():
        analysts = _ensure_analysts()
        sources, report.sources_created = _ensure_registry(normalise or _default_normalise)
    report.analysts = len(analysts)
    report.sources = len(sources)
    gen = _Generator(rng=random.Random(seed), sources=sources, analysts=analysts, now=timezone.now())
    batch = max(1, TARGET_CLAIMS_PER_BATCH // max(1, claims_per_article))
    done = 0
    while done < articles:
        n = min(batch, articles - done)
        with transaction.atomic():
            article_ids = _reserve_ids(Article, n)
            article_rows, claim_specs = [], []
            for article_id in article_ids:
                row, claims, imported = gen.article(article_id=article_id, n_claims=claims_per_article)
                article_rows.append(row)
                claim_specs.append((article_id, imported, claims))
            n_claims = sum(len(c) for _a, _i, c in claim_specs)
            claim_ids = iter(_reserve_ids(Claim, n_claims))
            claim_rows, histories = [], []
            for article_id, imported, claims in claim_specs:
                for start, end, text, source_pk, via, hedged, cue, hint in claims:
                    claim_id = next(claim_ids)
                    history = gen.history(imported)
                    status = history[-1][0] if history else Status.UNVERIFIED
                    updated = history[-1][2] if history else imported
                    assignee = gen.rng.choice(analysts) if gen.rng.random() < 0.15 else None
                    claim_rows.append(
                        (
                            claim_id,
                            article_id,
                            start,
                            end,
                            text,
                            source_pk,
                            via,
                            hedged,
                            cue,
                            hint,
                            str(status),
                            len(history),
                            assignee,
                            None,
                            imported,
                            updated,
                        )
                    )
                    report.status_counts[str(status)] += 1
                    if history:
                        histories.append((claim_id, history))
            n_decisions = sum(len(h) for _c, h in histories)
            decision_ids = iter(_reserve_ids(VerificationStatus, n_decisions))
            decision_rows = []
            for claim_id, history in histories:
                for version, (status, analyst, at, note) in enumerate(history, start=1):
                    decision_rows.append((next(decision_ids), claim_id, status, version, analyst, note, "", at))
            _write(Article, ARTICLE_FIELDS, article_rows)
            _write(Claim, CLAIM_FIELDS, claim_rows)
            _write(VerificationStatus, DECISION_FIELDS, decision_rows)
        done += n
        report.articles += n
        report.claims += len(claim_rows)
        report.decisions += len(decision_rows)
        if progress:
            progress(done, articles)
    if connection.vendor == "postgresql" and articles:
        # Fresh statistics so the planner sees the new rows at once (autovacuum would, later).
        with connection.cursor() as cursor:
            for model in (Article, Claim, VerificationStatus):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    report.seconds = time.monotonic() - started
    return report
