import datetime

from django.db import models


class DateListField(models.JSONField):
    """A list of dates, stored as JSON (ISO 8601 strings) so that it works on PostgreSQL and on
    the SQLite development database alike; in Python it is a list of `datetime.date`."""

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        return [datetime.date.fromisoformat(day) for day in value or []]

    def to_python(self, value):
        value = super().to_python(value)
        return [
            day if isinstance(day, datetime.date) else datetime.date.fromisoformat(day)
            for day in value or []
        ]

    def get_prep_value(self, value):
        if value is None:
            return None
        return super().get_prep_value(
            [day.isoformat() if isinstance(day, datetime.date) else day for day in value]
        )

    def validate(self, value, model_instance):
        super().validate(
            [day.isoformat() if isinstance(day, datetime.date) else day for day in value or []],
            model_instance,
        )
