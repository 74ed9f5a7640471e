"""socialdomain.postgresql reads `timestamptz` with psycopg's own loader on a UTC connection
(in place of Django's Python one) and gives the same values; another zone or a server-side
cursor gets Django's loader."""

import datetime

import pytest
from django.db import connection, transaction
from psycopg import pq

from cases.privacy.models import AccessLogEntry
from socialdomain.postgresql import base as backend

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the PostgreSQL backend's own loader"
)

MOMENTS = [
    datetime.datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=datetime.UTC),
    datetime.datetime(2026, 10, 25, 1, 30, tzinfo=datetime.UTC),  # the night of the clock change
    datetime.datetime(1999, 12, 31, 23, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1))),
]


@pytest.fixture
def entries(db):
    return [
        AccessLogEntry.objects.create(at=moment, action="view", object_type="loader-test")
        for moment in MOMENTS
    ]


def _read():
    return list(
        AccessLogEntry.objects.filter(object_type="loader-test")
        .order_by("pk")
        .values_list("at", flat=True)
    )


def _loader():
    return connection.connection.adapters.get_loader(backend._TIMESTAMPTZ, pq.Format.TEXT)


def test_moments_come_back_the_same_in_utc_through_psycopgs_loader(entries):
    read = _read()
    assert read == MOMENTS
    assert all(moment.tzinfo is datetime.UTC for moment in read)
    assert _loader() is backend._NATIVE_TZ_LOADER


def test_a_server_side_cursor_reads_the_same_and_the_next_query_is_fast_again(entries):
    with transaction.atomic():  # iterator() on PostgreSQL: a named cursor
        streamed = list(
            AccessLogEntry.objects.filter(object_type="loader-test")
            .order_by("pk")
            .values_list("at", flat=True)
            .iterator(chunk_size=2)
        )
    assert streamed == MOMENTS
    assert _read() == MOMENTS
    assert _loader() is backend._NATIVE_TZ_LOADER


def test_without_time_zone_support_moments_are_naive_local_time(entries, settings):
    settings.USE_TZ = False
    settings.TIME_ZONE = "Europe/Amsterdam"
    read = _read()
    assert read[1] == datetime.datetime(2026, 10, 25, 2, 30)  # 01:30 UTC: winter time again
    assert all(moment.tzinfo is None for moment in read)
    assert _loader() is not backend._NATIVE_TZ_LOADER
