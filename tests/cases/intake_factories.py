"""Factories for intake (signals, meldingen), kept apart from tests/factories.py."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases.intake.models import LifeDomain, Signal, SignalSource
from tests import factories
from tests.factories import PlainFaker


class MeldingFactory(factories.MeldingFactory):
    """The melding with its deadlines as `melding_register` stores them; pass `household=`."""

    household = None


class SignalFactory(DjangoModelFactory):
    """A signal about an unknown person; pass `household=` for a known one. `team` is needed."""

    class Meta:
        model = Signal

    source_type = SignalSource.NEIGHBOUR
    reporter_name = PlainFaker("name", locale="nl_NL")
    observation = "Post stapelt zich op, de gordijnen zijn al dagen dicht."
    received_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=2))
    subject_name = PlainFaker("name", locale="nl_NL")


def assessment_post(scores: dict | None = None) -> dict:
    """The conversation form's life-domain answers as posted: the given `{domain: score}`,
    every other domain "not discussed" (the form refuses a domain left open)."""
    scores = scores or {}
    return {
        f"score_{domain.value}": str(scores.get(domain.value, "not_discussed"))
        for domain in LifeDomain
    }
