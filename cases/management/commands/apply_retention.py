"""Destroy household files whose retention period has expired (AVG), or list them first.

    python manage.py apply_retention --dry-run
    python manage.py apply_retention --user privacy

The nightly Celery task `cases.retention_apply` does the same without a user."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cases.avg.services import retention_apply


class Command(BaseCommand):
    help = "Destroy household files whose retention period has expired (see docs/privacy.md)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only list the files that would be destroyed; change nothing.",
        )
        parser.add_argument(
            "--user",
            help="Username recorded as having run the destruction (default: the task).",
        )

    def handle(self, *args, dry_run=False, user=None, **options):
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"No user {user!r}.")
        run = retention_apply(dry_run=dry_run, by=by)
        for facts in run.expired:
            self.stdout.write(
                f"{facts.household_uuid} law={facts.law} term={facts.years}y "
                f"closed={facts.closed_on.isoformat()} expired={facts.expires_on.isoformat()}"
            )
        if dry_run:
            self.stdout.write(
                f"Dry run {run.run_id}: {run.examined} files examined, "
                f"{len(run.expired)} would be destroyed."
            )
        else:
            self.stdout.write(
                f"Run {run.run_id}: {run.examined} files examined, {len(run.records)} destroyed, "
                f"{len(run.skipped)} no longer expired."
            )
