"""verifier/env.py: each reader takes good values and refuses bad ones with a message naming the
variable and what a valid value looks like; every variable it reads is listed and documented."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from verifier import env

README = Path(__file__).resolve().parents[1] / "README.md"
SECRET = "s" * 60


def _refused(reader, value, *args, **kwargs) -> str:
    with pytest.raises(ImproperlyConfigured) as caught:
        reader({"SOME_VAR": value}, "SOME_VAR", *args, **kwargs)
    message = str(caught.value)
    assert message.startswith("SOME_VAR must be") and repr(value) in message
    return message


@pytest.mark.parametrize("value,expected", [("1", True), ("true", True), ("ON", True), ("0", False), ("no", False)])
def test_flag_reads_the_usual_spellings(value, expected):
    assert env.flag({"SOME_VAR": value}, "SOME_VAR", not expected) is expected


def test_unset_or_empty_means_the_default():
    for environ in [{}, {"SOME_VAR": ""}]:
        assert env.flag(environ, "SOME_VAR", True) is True
        assert env.whole_number(environ, "SOME_VAR", 7) == 7
        assert env.seconds(environ, "SOME_VAR", 2.5) == 2.5
        assert env.rate(environ, "SOME_VAR", "30/900") == (30, 900)
        assert env.comma_list(environ, "SOME_VAR", "a,b") == ["a", "b"]
        assert env.url(environ, "SOME_VAR", ("https",)) == ""
        assert env.text(environ, "SOME_VAR", "fallback") == "fallback"


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_flag_refuses_anything_else(value):
    assert "1 or 0" in _refused(env.flag, value, False)


def test_whole_number_reads_numbers_within_bounds():
    assert env.whole_number({"SOME_VAR": "12"}, "SOME_VAR", 5, minimum=1) == 12
    assert env.whole_number({"SOME_VAR": "0"}, "SOME_VAR", 5) == 0
    assert env.whole_number({"SOME_VAR": "65535"}, "SOME_VAR", 1, minimum=1, maximum=65535) == 65535


@pytest.mark.parametrize("value", ["x", "2.5", "0", "-3"])
def test_whole_number_refuses_text_fractions_and_numbers_below_the_minimum(value):
    assert "a whole number >= 1" in _refused(env.whole_number, value, 5, minimum=1)


def test_whole_number_names_both_bounds_when_there_is_a_maximum():
    assert "from 1 to 65535" in _refused(env.whole_number, "70000", 8000, minimum=1, maximum=65535)


def test_the_error_for_a_bad_failure_limit_reads_as_documented():
    with pytest.raises(ImproperlyConfigured, match=r"^AXES_FAILURE_LIMIT must be a whole number >= 1, not 'x'$"):
        env.read({"DJANGO_DEBUG": "1", "AXES_FAILURE_LIMIT": "x"})


@pytest.mark.parametrize("value,expected", [("30", 30.0), ("2.5", 2.5), ("0", 0.0)])
def test_seconds_read_whole_and_fractional_numbers(value, expected):
    assert env.seconds({"SOME_VAR": value}, "SOME_VAR", 1) == expected


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf"])
def test_seconds_refuse_text_negative_and_unbounded_numbers(value):
    assert "a number >= 0" in _refused(env.seconds, value, 1)


@pytest.mark.parametrize("value,expected", [("30/900", (30, 900)), ("30", (30, 60)), ("1/1", (1, 1))])
def test_rate_reads_n_per_seconds_and_a_bare_n_per_minute(value, expected):
    assert env.rate({"SOME_VAR": value}, "SOME_VAR", "5/60") == expected


@pytest.mark.parametrize("value", ["0/60", "30/0", "lots", "30/minute", "-1/60"])
def test_rate_refuses_anything_but_two_whole_numbers_of_at_least_one(value):
    assert "N/SECONDS" in _refused(env.rate, value, "5/60")


def test_comma_list_drops_blanks_and_spaces():
    assert env.comma_list({"SOME_VAR": " verifier.example , ,10.0.0.5"}, "SOME_VAR", "x") == [
        "verifier.example",
        "10.0.0.5",
    ]


def test_url_accepts_only_the_given_schemes_with_a_host():
    assert env.url({"SOME_VAR": "redis://cache:6379/1"}, "SOME_VAR", ("redis", "unix")) == "redis://cache:6379/1"
    assert env.url({"SOME_VAR": "unix:///run/redis.sock"}, "SOME_VAR", ("redis", "unix")) == "unix:///run/redis.sock"
    assert "redis://... or unix://..." in _refused(env.url, "memcached://cache", ("redis", "unix"))
    assert "https://" in _refused(env.url, "verify.example.org", ("https",))
    _refused(env.url, "https://", ("https",))


@pytest.mark.parametrize(
    "name,value",
    [
        ("DJANGO_PROXY_COUNT", "two"),
        ("VERIFIER_CACHE_URL", "memcached://cache"),
        ("VERIFIER_LOGIN_IP_LIMIT", "often"),
        ("VERIFIER_MAX_FILE_BYTES", "200MB"),
        ("VERIFIER_EXTRACTION_SECONDS", "two minutes"),
        ("VERIFIER_ORG_URL", "verify.example.org"),
        ("PORT", "http"),
    ],
)
def test_read_names_the_variable_with_a_bad_value(name, value):
    with pytest.raises(ImproperlyConfigured, match=rf"^{name} must be .*{value!r}"):
        env.read({"DJANGO_DEBUG": "1", name: value})


def test_read_gives_the_documented_defaults():
    values = env.read({"DJANGO_DEBUG": "1"})
    assert values["AXES_FAILURE_LIMIT"] == 5
    assert values["RATE_LIMITS"]["login_ip"] == (30, 900)
    assert values["MAX_FILE_BYTES"] == 200 * 1024 * 1024
    assert values["NLP_MODEL"] == env.DEFAULT_NLP_MODEL
    assert values["ORG_URL"] == "http://127.0.0.1:8000/"
    assert values["CACHE_URL"] == ""
    assert values["HSTS_PRELOAD"] is False


class _Recording(dict):
    """An environment that notes every name looked up."""

    def __init__(self, *args):
        super().__init__(*args)
        self.looked_up = []

    def get(self, name, default=None):
        self.looked_up.append(name)
        return super().get(name, default)


def test_names_lists_exactly_the_variables_read():
    environ = _Recording({"DJANGO_SECRET_KEY": SECRET})  # production, HTTPS: every branch is read
    env.read(environ)
    assert sorted(set(environ.looked_up)) == sorted(env.NAMES)
    assert len(set(env.NAMES)) == len(env.NAMES)


def _readme_environment_names() -> set[str]:
    section = README.read_text(encoding="utf-8").split("\n## Environment\n", 1)[1].split("\n## ", 1)[0]
    names = set()
    for row in section.splitlines():
        if row.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1]))
    return names


def test_every_variable_read_is_documented_in_the_readme():
    assert set(env.NAMES) - _readme_environment_names() == set()


@pytest.mark.parametrize(
    "name", ["VERIFIER_IMPORT_HEARTBEAT_SECONDS", "VERIFIER_IMPORT_STALL_SECONDS", "VERIFIER_IMPORT_WATCH_SECONDS"]
)
def test_intervals_a_loop_waits_must_be_more_than_zero(name):
    with pytest.raises(ImproperlyConfigured, match=rf"^{name} must be a number > 0"):
        env.read({"DJANGO_DEBUG": "1", name: "0"})


def test_a_stall_time_within_the_heartbeat_is_refused():
    environ = {"DJANGO_DEBUG": "1", "VERIFIER_IMPORT_HEARTBEAT_SECONDS": "10", "VERIFIER_IMPORT_STALL_SECONDS": "10"}
    with pytest.raises(ImproperlyConfigured, match="must be longer than VERIFIER_IMPORT_HEARTBEAT_SECONDS"):
        env.read(environ)
    assert env.read({**environ, "VERIFIER_IMPORT_STALL_SECONDS": "10.5"})["IMPORT_STALL_SECONDS"] == 10.5


@pytest.mark.parametrize("name", ["DJANGO_HTTPS", "DJANGO_HSTS_PRELOAD"])
def test_a_mistyped_https_flag_is_refused_even_where_it_would_not_apply(name):
    with pytest.raises(ImproperlyConfigured, match=rf"^{name} must be 1 or 0"):
        env.read({"DJANGO_DEBUG": "1", name: "yse"})
