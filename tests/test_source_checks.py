""".ci/source_checks.py (the lint step `make lint` runs) catches what it is meant to: planted uses of
unescaped markup, inline scripts, password literals, user fixtures and environment reads."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "source_checks.py"
_spec = importlib.util.spec_from_file_location("source_checks", SCRIPT)
checks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(checks)


def test_the_unsafe_markup_checks_find_planted_uses():
    assert checks.UNSAFE_TEMPLATE.search("{{ article.body|safe }}")
    assert checks.UNSAFE_TEMPLATE.search("{% autoescape off %}")
    assert checks.UNSAFE_PYTHON.search("return mark_safe(article.title)")
    assert checks.UNSAFE_PYTHON.search('format_html(f"<b>{title}</b>")')
    assert not checks.UNSAFE_PYTHON.search('format_html("<b>{}</b>", title)')
    assert checks.INLINE_IN_TEMPLATE.search("<script>alert(1)</script>")
    assert checks.INLINE_IN_TEMPLATE.search('<button onclick="go()">')
    assert checks.INLINE_IN_TEMPLATE.search('<div style="color:red">')
    assert not checks.INLINE_IN_TEMPLATE.search('<script src="/static/x.js" defer></script>')


def test_the_password_check_finds_a_planted_literal():
    assert checks.LITERAL_PASSWORD.search('User.objects.create_user("admin", password="admin123")')
    assert checks.LITERAL_PASSWORD.search("createsuperuser --password hunter2")
    assert checks.LITERAL_PASSWORD.search("export DJANGO_SUPERUSER_PASSWORD=admin")
    assert not checks.LITERAL_PASSWORD.search('<input type="password" name="password" id="id_password">')
    assert not checks.LITERAL_PASSWORD.search("password = secrets.token_urlsafe(12)")


def test_the_fixture_check_finds_a_planted_user():
    assert checks.FIXTURE_USER.search('{"model": "auth.user", "pk": 1}')
    assert checks.FIXTURE_USER.search('  "password": "pbkdf2_sha256$..."')
    assert not checks.FIXTURE_USER.search('{"model": "claims.source", "fields": {"name": "HUR"}}')


def test_the_htmx_indicator_check_reads_the_rules_it_needs():
    css = ".htmx-indicator { opacity: 0; }\n.htmx-request .htmx-indicator { opacity: 1; }"
    assert all(pattern.search(css) for pattern in checks.INDICATOR_STYLES)
    assert not any(pattern.search(".spinner { opacity: 0; }") for pattern in checks.INDICATOR_STYLES)


@pytest.mark.parametrize(
    "source",
    [
        'import os\nx = os.environ.get("VERIFIER_NLP_MODEL")',
        'import os\n\nx = os.environ["PORT"]',
        'import os\nx = os.getenv("HOST")',
        "from os import environ",
        "from os import getenv as ge",
        'import os\nos.environ.setdefault("DJANGO_DEBUG", "1")',
        'import os as o\nx = o.environ["PORT"]',
    ],
)
def test_the_environment_check_finds_planted_reads(source):
    assert checks.environ_reads(source) == [source.count("\n") + 1]


def test_the_environment_check_lets_the_settings_module_choice_and_mentions_through():
    source = (
        "import os\n"
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verifier.settings")\n'
        "# os.environ is read in verifier/env.py\n"
        'HELP = "reads os.environ"\n'
        "environ = {}\n"
    )
    assert checks.environ_reads(source) == []


def test_findings_are_path_line_message_and_make_the_script_fail(tmp_path, monkeypatch, capsys):
    (tmp_path / "claims").mkdir()
    (tmp_path / "claims" / "ok.py").write_text("x = 1\n")
    (tmp_path / "claims" / "reads.py").write_text('import os\n\nPORT = os.environ["PORT"]\n')
    (tmp_path / "verifier").mkdir()
    (tmp_path / "verifier" / "env.py").write_text("import os\nNAMES = os.environ\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>\n{{ body|safe }}</p>\n")
    (tmp_path / "static" / "claims").mkdir(parents=True)
    (tmp_path / "static" / "claims" / "app.css").write_text(
        ".htmx-indicator { opacity: 0 }\n.htmx-request .htmx-indicator { opacity: 1 }\n"
    )
    (tmp_path / "requirements.txt").write_text(f"model @ https://example.org/{checks.MODEL_PIN}\n")
    (tmp_path / "README.md").write_text("# X\n\n## Layout\n\n```\nclaims/ok.py   fine\ntemplates/     pages\n```\n")
    monkeypatch.setattr(checks, "ROOT", tmp_path)
    assert checks.main() == 1
    assert capsys.readouterr().out.splitlines() == [
        "templates/page.html:2: template marks data safe or turns autoescape off: {{ body|safe }}</p>",
        "claims/reads.py:3: reads the environment; read it in verifier/env.py (and the setting from there)",
        "README.md:3: the layout does not list claims/reads.py",
    ]
    (tmp_path / "claims" / "reads.py").unlink()
    (tmp_path / "templates" / "page.html").write_text("<p>{{ body }}</p>\n")
    assert checks.main() == 0


def test_the_layout_check_reads_the_paths_the_readme_lists():
    readme = (
        "# X\n\n## Layout\n\nProse.\n\n```\nclaims/views/        pages\ntemplates/, static/  markup\n"
        "                     a continuation line\n# web\nclaims/api.py        the API\n```\n\n## Next\n"
    )
    assert checks.layout_paths(readme) == ["claims/views/", "templates/", "static/", "claims/api.py"]
    assert checks.layout_paths("# X\n\nno layout here\n") == []
    # a section without a code block does not borrow the next section's
    assert checks.layout_paths("## Layout\n\nProse.\n\n## Next\n\n```\nclaims/x.py  no\n```\n") == []


def test_the_layer_check_finds_a_planted_web_import_in_the_domain():
    source = (
        "import os\nfrom claims.views.common import bad_request\nimport claims.api\nfrom claims.models import Claim\n"
    )
    assert checks.web_imports(source) == [(2, "claims.views.common"), (3, "claims.api")]
    assert checks.web_imports("from claims import models, views\n") == [(1, "claims.views")]
    assert checks.web_imports("from ..views import y\n", "claims.services") == [(1, "claims.views")]
    assert checks.web_imports("from .. import api\n", "claims.services") == [(1, "claims.api")]
    assert checks.web_imports("from .views import y\n", "claims.services") == []  # claims.services.views
    assert checks.web_imports("from claims.viewsets import x\nfrom claims import models\n") == []
