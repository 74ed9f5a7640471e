"""The admin of the `cases` app: each wing registers its own model admins."""

from cases.avg import admin as avg_admin
from cases.consent import admin as consent_admin
from cases.households import admin as households_admin
from cases.intake import admin as intake_admin
from cases.plans import admin as plans_admin
from cases.privacy import admin as privacy_admin

__all__ = [
    "avg_admin",
    "consent_admin",
    "households_admin",
    "intake_admin",
    "plans_admin",
    "privacy_admin",
]
