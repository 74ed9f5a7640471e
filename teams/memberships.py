"""Which teams a user is an active member of: the one membership query both
`teams.permissions` and `teams.selectors` build on (so neither needs the other's)."""

from teams.models import Team


def district_ids_of_user(*, user) -> set[int]:
    """The districts whose team the user is an active member of."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_wijkwerk_district_ids", None)
    if cached is None:
        cached = set(
            Team.objects.filter(members__user=user, members__active=True).values_list(
                "district_id", flat=True
            )
        )
        user._wijkwerk_district_ids = cached
    return cached
