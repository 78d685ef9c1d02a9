from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as accounts_demo
from campaigns import demo as campaigns_demo
from coaching import demo as coaching_demo
from labelling import demo as labelling_demo
from projects import demo as projects_demo
from propulsons.public_cache import public_content_changed


class Command(BaseCommand):
    help = "Charge les données de démonstration (sans effet si elles sont déjà là)."

    @transaction.atomic
    def handle(self, *args, **options):
        credentials = accounts_demo.load()
        projects_demo.load()
        coaching_demo.load()
        labelling_demo.load()
        campaigns_demo.load()
        # Rows written in bulk, outside the services: the cached public pages are rebuilt.
        public_content_changed()
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
        self.stdout.write(
            f"Comptes de démonstration (mot de passe : {accounts_demo.DEMO_PASSWORD}) :"
        )
        for role, email in credentials:
            self.stdout.write(f"  {role:<22} {email}")
