"""The one normalisation of a resident's name for searching, in the database and in Python.

`Resident.search_name` (a stored generated column, migration `cases/0041`) is
`"|" + first name + "|" + last name`, each folded: capitals to small
letters and the Latin letters with diacritics of the personal records database (BRP) to their
letter without (é → e, Ç → c, ł → l, Ø → o). The typed query is folded by `fold()` with the
same map, so "celik" finds Çelik and "MULLER" finds Müller, on PostgreSQL and SQLite alike.

Only this map folds: the database's own `lower()` is not used, because PostgreSQL's depends on
the locale and SQLite's knows only A to Z; a letter outside the map (ß, æ, Cyrillic) is compared
as typed, the same on both. A `|` in a name becomes a space, so the separators stay separators.

Changing the map changes the generated column: `makemigrations` sees the new strings in
`Translate`'s arguments and writes the migration that rebuilds it.
"""

import functools

from django.db.backends.signals import connection_created
from django.db.models import Func, TextField, Value

FOLD_FROM = (
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöøùúûüýÿ"
    "ĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĴĵĶķĹĺĻļĽľĿŀŁł"
    "ŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽž"
    "|"
)
FOLD_TO = (
    "abcdefghijklmnopqrstuvwxyz"
    "aaaaaaceeeeiiiinoooooouuuuyaaaaaaceeeeiiiinoooooouuuuyy"
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiijjkkllllllllll"
    "nnnnnnoooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzz"
    " "
)
# the segment separator of `Resident.search_name`; `fold()` never returns it
SEPARATOR = "|"

_TABLE = str.maketrans(FOLD_FROM, FOLD_TO)


def fold(text: str) -> str:
    """The text as `Resident.search_name` stores a name: see the module's docstring."""
    return text.translate(_TABLE)


class Translate(Func):
    """SQL's `TRANSLATE(text, from, to)`: every character of `from` in `text` replaced by the
    one at the same place in `to` (IMMUTABLE on PostgreSQL, so a generated column may use it).
    SQLite has no TRANSLATE (and a `REPLACE` per character overflows its parser): there it is
    `wijkwerk_translate`, the same in Python, registered as a deterministic function on every
    SQLite connection (below), which SQLite allows in a generated column."""

    function = "TRANSLATE"
    output_field = TextField()

    def __init__(self, expression, from_chars: str, to_chars: str, **extra):
        if len(from_chars) != len(to_chars):
            raise ValueError("Translate needs two maps of the same length")
        super().__init__(expression, Value(from_chars), Value(to_chars), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function=SQLITE_TRANSLATE, **extra_context)


SQLITE_TRANSLATE = "wijkwerk_translate"


@functools.lru_cache(maxsize=8)
def _table(from_chars: str, to_chars: str) -> dict[int, int]:
    return str.maketrans(from_chars, to_chars)


def _translate(text, from_chars, to_chars):
    if text is None or from_chars is None or to_chars is None:
        return None
    return text.translate(_table(from_chars, to_chars))


def _register_on_sqlite(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_TRANSLATE, 3, _translate, deterministic=True)


connection_created.connect(_register_on_sqlite, dispatch_uid="wijkwerk_translate")
