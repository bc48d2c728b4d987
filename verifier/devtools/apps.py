from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Demo data for demos, benchmarks and the query-plan tests; no models, no URLs."""

    name = "verifier.devtools"
    label = "devtools"
    verbose_name = "Developer tools"
