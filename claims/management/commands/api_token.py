"""Create an API token for a user and print it once (the last line of output)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims.auth_tokens import api_token_create
from claims.services import audit_record


class Command(BaseCommand):
    help = (
        "Create an API token for USERNAME and print it once, as the last line of output. Only its hash "
        "is stored: copy it now. Clients send it as 'Authorization: Bearer <token>'."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for (shown in the admin).")

    def handle(self, *args, **options):
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(options["username"])
        except User.DoesNotExist:
            raise CommandError(f"No user {options['username']!r}.", returncode=2) from None
        if not user.is_active:
            raise CommandError(f"User {user.get_username()!r} is inactive; a token would not work.", returncode=2)
        token, raw = api_token_create(user=user, name=options["name"][:100])
        audit_record(actor=None, action="api_token_create", obj=token, details={"user": user.pk, "via": "command"})
        self.stderr.write(f"API token {token.prefix}… for {user.get_username()} (shown once; only its hash is stored):")
        self.stdout.write(raw)
