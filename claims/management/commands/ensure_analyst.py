"""Make sure a local analyst account exists, printing how to sign in (never a fixed password)."""

import secrets

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create the local analyst account (staff, in Analysts) with a generated password, printed once."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="analyst")
        parser.add_argument("--reset-password", action="store_true", help="Generate and print a new password.")

    def handle(self, *args, username, reset_password, **options):
        with transaction.atomic():
            user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
            user.groups.add(Group.objects.get(name="Analysts"))
            if not (user.is_staff and user.is_superuser):
                # The local account runs imports and edits sources too.
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            password = None
            if created or reset_password:
                password = secrets.token_urlsafe(12)
                user.set_password(password)
                user.save(update_fields=["password"])
        if password:
            self.stdout.write(
                self.style.SUCCESS(
                    "Sign in at http://127.0.0.1:8000/ with\n"
                    f"  Username: {username}\n"
                    f"  Password: {password}\n"
                    "(shown once; `python manage.py ensure_analyst --reset-password` makes a new one)"
                )
            )
        else:
            self.stdout.write(
                f"Analyst account {username!r} exists. Forgot its password? "
                "Run `DJANGO_DEBUG=1 .venv/bin/python manage.py ensure_analyst --reset-password`."
            )
