"""Print what the web benchmarks need from a database, as JSON (run by bench_web and bench_live).

    python -m bench.bench_fixtures                     # sessions, CSRF token, ids to aim at
    python -m bench.bench_fixtures --session USERNAME  # just a session key for another bench user

Needs DATABASE_URL (and DJANGO_SECRET_KEY when DJANGO_DEBUG=0) in the environment. The helpers are
in verifier/devtools/bench.py.
"""

from __future__ import annotations

import argparse
import json
import os

import django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--session", metavar="USERNAME", help="print a session key for this bench user only")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verifier.settings")
    django.setup()
    from verifier.devtools.bench import bench_session, web_targets

    print(bench_session(args.session) if args.session else json.dumps(web_targets()))


if __name__ == "__main__":
    main()
