"""Make sure the two local accounts exist, printing how to sign in (never a fixed password).

An analyst (in Analysts, not staff: triages claims) and an admin (staff and superuser: imports,
sources, users). Each gets a generated password, printed once when the account is created or when
asked with --reset-password.
"""

import secrets

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create the local analyst and admin accounts with generated passwords, printed once."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="analyst", help="The analyst account (in Analysts, not staff).")
        parser.add_argument("--admin-username", default="admin", help="The admin account (staff, superuser).")
        parser.add_argument("--reset-password", action="store_true", help="Generate and print new passwords.")
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="Where to sign in (printed).")

    def _ensure(self, username: str, *, admin: bool, reset: bool) -> tuple[str | None, bool]:
        """(new password or None, demoted): the account exists with its role, and a password if new."""
        user, created = User.objects.get_or_create(username=username)
        user.groups.add(Group.objects.get(name="Analysts"))
        demoted = not admin and not created and (user.is_staff or user.is_superuser)
        if user.is_staff != admin or user.is_superuser != admin:
            user.is_staff = user.is_superuser = admin
            user.save(update_fields=["is_staff", "is_superuser"])
        password = None
        if created or reset:
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save(update_fields=["password"])
        return password, demoted

    def handle(self, *args, username, admin_username, reset_password, url, **options):
        with transaction.atomic():
            analyst_password, demoted = self._ensure(username, admin=False, reset=reset_password)
            admin_password, _ = self._ensure(admin_username, admin=True, reset=reset_password)
        lines = []
        for role, name, password in (
            ("Analyst (triage)", username, analyst_password),
            ("Admin (imports, sources, users; also at /admin/)", admin_username, admin_password),
        ):
            if password:
                lines.append(f"{role}\n  Username: {name}\n  Password: {password}")
            else:
                lines.append(f"{role}: {name!r} exists (forgot the password? add --reset-password)")
        if demoted:
            lines.append(f"Note: {username!r} is no longer staff; use {admin_username!r} for the admin.")
        self.stdout.write(
            self.style.SUCCESS(f"Sign in at {url}\n" + "\n".join(lines))
            if analyst_password or admin_password
            else f"Sign in at {url}\n" + "\n".join(lines)
        )
        if analyst_password or admin_password:
            self.stdout.write(
                "(passwords are shown once; `DJANGO_DEBUG=1 .venv/bin/python manage.py ensure_analyst "
                "--reset-password` makes new ones)"
            )
