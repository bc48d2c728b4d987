from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Verifier"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from claims import middleware  # noqa: F401 - connects the sign-in failure counter
