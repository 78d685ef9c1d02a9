from django.core.management.base import BaseCommand, CommandError

from projects import services


class Command(BaseCommand):
    help = (
        "Compare les fichiers privés et les lignes qui les désignent : fichiers orphelins, "
        "lignes sans fichier. Avec --clean, supprime les orphelins de plus d'un jour et termine "
        "les déplacements interrompus. Code de sortie 1 s'il reste un problème."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--check", action="store_true", help="Liste seulement (par défaut), sans rien changer."
        )
        mode.add_argument(
            "--clean",
            action="store_true",
            help="Supprime les fichiers orphelins assez anciens (jamais ceux d'un envoi en cours).",
        )

    def handle(self, *args, clean: bool, **options):
        report = services.private_files_check(clean=clean)
        lines = [
            f"Fichiers : {report.files}",
            f"Fichiers orphelins : {report.orphans} (supprimés : {report.orphans_removed}, "
            f"trop récents pour être supprimés : {report.orphans_too_young})",
            f"Déplacements interrompus : terminés {report.moves_completed}, "
            f"en attente {report.moves_pending}",
            f"Lignes sans fichier : {len(report.rows_without_file)}",
            *(f"  {row}" for row in report.rows_without_file),
        ]
        self.stdout.write("\n".join(lines))
        if not report.healthy:
            raise CommandError(
                "Des fichiers et des lignes ne se correspondent pas"
                + ("." if clean else " : voir ci-dessus, ou relancer avec --clean.")
            )
