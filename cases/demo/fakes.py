"""Synthetic but valid Dutch data for demo data, factories and load generation."""

import random

FIRST_NAMES = (
    "Anna", "Daan", "Emma", "Sem", "Julia", "Lucas", "Mila", "Finn", "Sophie", "Levi", "Tess",
    "Noah", "Sara", "Milan", "Fenna", "Bram", "Lotte", "Thijs", "Eva", "Jesse", "Nina", "Ruben",
    "Zoë", "Mohamed", "Fatima", "Yusuf", "Aylin", "Mehmet", "Priya", "Jayden", "Chantal",
    "Henk", "Gerda", "Kees", "Marja", "Wim", "Ineke", "Joost", "Anouk", "Sanne", "Bas", "Ilse",
)  # fmt: skip
LAST_NAMES = (
    "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Vos", "Peters",
    "Hendriks", "Dekker", "Brouwer", "Dijkstra", "Kok", "Jacobs", "Vermeulen", "Willems",
    "Hoekstra", "Koster", "Prins", "Postma", "Kuipers", "Yilmaz", "El Amrani", "Şahin", "Kaya",
    "Pinas", "Sedney", "Nguyen", "Boersma", "Schouten", "Maas", "Verhoeven", "Kramer",
)  # fmt: skip
NAME_PREFIXES = ("", "", "", "", "van", "de", "van der", "van den", "ter")
STREETS = (
    "Kerkstraat", "Dorpsstraat", "Molenweg", "Schoolstraat", "Stationsweg", "Beukenlaan",
    "Eikenlaan", "Lindelaan", "Julianastraat", "Wilhelminalaan", "Prins Bernhardstraat",
    "Vondellaan", "Sportlaan", "Parklaan", "Havenstraat", "Tulpstraat", "Rozenstraat",
)  # fmt: skip


def synthetic_bsn(rng: random.Random) -> str:
    """A random 9-digit number that passes the elfproef (not a real person's BSN, by chance
    it may coincide with one; never use outside demo and test data)."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        total = sum(weight * digit for weight, digit in zip(range(9, 1, -1), digits, strict=True))
        check = total % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)
