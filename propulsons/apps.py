from django.apps import AppConfig


class PropulsonsConfig(AppConfig):
    name = "propulsons"
    verbose_name = "Propulsons!"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)
