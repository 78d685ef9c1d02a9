import time

from django.core.management.base import BaseCommand

from propulsons.datagen import generate
from propulsons.public_cache import public_content_changed


class Command(BaseCommand):
    help = (
        "Génère un jeu de données réaliste à l'échelle donnée (1 : environ 50 dossiers ; "
        "100 : environ 5 000 dossiers, 200 000 échanges, 2 000 campagnes) pour les mesures."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--seed", type=int, default=62)

    def handle(self, *args, scale, seed, **options):
        started = time.monotonic()
        counts = generate(scale=scale, seed=seed)
        # Rows written in bulk, outside the services: the cached public pages are rebuilt.
        public_content_changed()
        elapsed = time.monotonic() - started
        for name, count in counts.items():
            self.stdout.write(f"  {name:<15} {count:>8}")
        self.stdout.write(
            self.style.SUCCESS(f"Jeu de données à l'échelle {scale} créé en {elapsed:.1f} s.")
        )
