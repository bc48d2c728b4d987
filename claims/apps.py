from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Verifier"
    default_auto_field = "django.db.models.BigAutoField"
