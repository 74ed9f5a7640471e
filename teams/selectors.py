from teams.models import Postcode, Team
from teams.validators import normalise_postcode


def postcode_lookup(*, postcode: str) -> Postcode | None:
    """The postcode with its neighbourhood, district and municipality, or None when the
    (well-formed) postcode is not in this municipality. Raises ValidationError when malformed."""
    return Postcode.objects.with_area().filter(postcode=normalise_postcode(postcode)).first()


def neighbourhood_id_for_postcode(postcode: str) -> int | None:
    """The neighbourhood of a normalised postcode (`1234AB`), or None outside the municipality."""
    return (
        Postcode.objects.filter(postcode=postcode)
        .values_list("neighbourhood_id", flat=True)
        .first()
    )


def teams_of_user(*, user) -> list[Team]:
    if not user.is_authenticated:
        return []
    return list(
        Team.objects.filter(members__user=user, members__active=True).select_related("district")
    )


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
