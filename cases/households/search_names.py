"""The household search by (partial) name as one statement, on `Resident.search_name`.

`search_name` is "|first|last", folded (`cases.households.name_fold`); on PostgreSQL one
trigram index serves every word of a query (migration 0041). Per word, folded like the column:

- three letters or more: anywhere in the first or last name (`%word%`; a word holds no `|`,
  so it never spans the two);
- one or two letters (no trigram inside a word): the start of the first or last name
  (`%|wo%`); next to other words, which the index narrows by, also the start of a word inside
  one (`% wo%`: "zu" in "Coreth von und zu Coredo");
- a Dutch name prefix (van, de, ter …) also the whole prefix (`LOWER(name_prefix) = 'van'`, a
  b-tree index: prefixes are ASCII). The prefix is not in `search_name`: there the word "van"
  would read the trigrams of every prefix "van" in the municipality.

A resident matches when every word does. One statement then goes from the matching residents
(at most `resident_limit` + 1, counted) to their current households and the visible ones among
those, so PostgreSQL estimates every step from a LIMIT instead of a guess at how many names a
LIKE pattern hits (a guess that once made it walk all households in address order). The same
statement runs on SQLite (the demo), where the column is folded the same way and no index
helps: the same results for the same query.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db.models import F, Lookup, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.db.models.lookups import Exact

from cases.households.models import Household, HouseholdMembership, Resident
from cases.households.name_fold import SEPARATOR, fold
from socialdomain.precompiled import Bind, precompiled_sql

# Dutch surname prefixes (tussenvoegsels): a word like these also matches a prefix that is
# exactly this word
NAME_PREFIX_WORDS = frozenset(
    {"van", "de", "der", "den", "ter", "ten", "te", "het", "'t", "in", "op", "la", "le", "du"}
)

# a word this short gives no trigram inside a word: it matches the start of a name
SHORT_WORD = 2


class Like(Lookup):
    """`lhs LIKE pattern`, the pattern as given (its `%`, `_` and `\\` escaped by the caller):
    case-sensitive on PostgreSQL; on SQLite only A to Z compare without case, and `search_name`
    and the pattern are both folded to small letters, so the two agree."""

    lookup_name = "like"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        escape = " ESCAPE '\\'" if connection.vendor == "sqlite" else ""
        return f"{lhs} LIKE {rhs}{escape}", (*lhs_params, *rhs_params)


def _escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def name_words(query: str) -> list[str]:
    """The words of a typed name, folded like `Resident.search_name`."""
    return fold(query).split()


def _patterns(words: list[str]) -> dict[str, str]:
    """What each word is matched with, by name: `w0` its pattern, `v0` the start of a word
    inside a name (a short word among others), `p0` a whole name prefix."""
    patterns = {}
    for index, word in enumerate(words):
        text = _escaped(word)
        if len(word) > SHORT_WORD:
            patterns[f"w{index}"] = f"%{text}%"
        else:
            patterns[f"w{index}"] = f"%{SEPARATOR}{text}%"
            if len(words) > 1:
                patterns[f"v{index}"] = f"% {text}%"
        if word in NAME_PREFIX_WORDS:
            patterns[f"p{index}"] = word
    return patterns


def residents_named(words: list[str], bind: Bind | None = None) -> QuerySet[Resident]:
    """Residents whose name matches every word (see the module's docstring). `bind`: the
    patterns as a compiled statement's values (`socialdomain.precompiled`)."""
    patterns = _patterns(words)
    bind = bind or Bind(patterns, placeholders=False)
    column = F("search_name")
    residents = Resident.objects.all()
    for index in range(len(words)):
        matches = Like(column, bind(f"w{index}"))
        if f"v{index}" in patterns:
            matches |= Like(column, bind(f"v{index}"))
        if f"p{index}" in patterns:
            matches |= Exact(Lower("name_prefix"), bind(f"p{index}"))
        residents = residents.filter(matches)
    return residents


# residents followed first, per household wanted: a matching name is rarely shared by more
# than three people of one household
_FIRST_FOLLOW = 3


@dataclass(frozen=True)
class NameMatches:
    # the visible households where a matching resident lives now, in id order
    household_ids: list[int]
    # more residents matched than were followed (`resident_limit`, or fewer when the
    # households found already number more than `household_limit`)
    residents_capped: bool


def households_named(
    *,
    visible: QuerySet[Household] | Callable[[], QuerySet[Household]],
    query: str,
    resident_limit: int,
    household_limit: int | None = None,
    reach: Callable[[], list[Q]] | None = None,
    key: tuple | None = None,
) -> NameMatches:
    """The households in `visible` where someone whose name matches `query` lives today, in
    one statement: the first `resident_limit` matching residents (one more is read to tell
    whether there were more), their current memberships, need-to-know on those households.

    `reach()`: filters on residents whose union holds everyone living in a `visible` household
    (`cases.access.residents_in_reach`); only residents within them are followed, each filter
    in a query of its own (UNION ALL: no resident is in two), so that each can use its index.

    `household_limit`: more households than this are not needed (the caller shows that many
    and says there are more). The statement then first follows only a few residents
    (`_FIRST_FOLLOW` times the limit): enough, unless fewer households than that were found
    while more residents matched; only then are all `resident_limit` followed (a second
    statement). A common name stops early; every household is found as before.

    `key`: what fixes `visible` and `reach` (`cases.access.visibility_key`). With a key the
    statement is compiled once per key and shape of the words (`precompiled_sql`), and
    `visible` and `reach` are callables, called only to compile it."""
    words = name_words(query)
    if not words:
        return NameMatches([], False)
    patterns = _patterns(words)

    def build(bind: Bind, limit: int) -> tuple[str, list]:
        households_visible = visible() if callable(visible) else visible
        arms = reach() if reach is not None else None
        if households_visible.query.is_empty() or arms == []:
            raise EmptyResultSet
        named = residents_named(words, bind).order_by()
        if arms is None:
            residents = named.values(resident=F("pk"))
        else:
            parts = [named.filter(arm).values(resident=F("pk")) for arm in arms]
            # the filters are disjoint: UNION ALL, which the LIMIT stops early
            residents = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        residents = residents[: limit + 1]
        followed = RawSQL('SELECT "resident" FROM "named" LIMIT %s', (limit,))
        households = (
            households_visible.filter(
                pk__in=HouseholdMembership.objects.current()
                .filter(resident_id__in=followed)
                .values("household_id")
            )
            .order_by()
            .values(household=F("pk"))
        )
        db = households_visible.db
        residents_sql, residents_params = residents.query.get_compiler(db).as_sql()
        households_sql, households_params = households.query.get_compiler(db).as_sql()
        # "named" is read twice, so PostgreSQL computes it once (a materialised CTE); the LEFT
        # JOIN keeps the count when no household is visible
        sql = (
            f'WITH "named" AS ({residents_sql}) '  # noqa: S608 (the inner SQL is Django's)
            f'SELECT (SELECT COUNT(*) FROM "named"), "visible"."household" '
            f'FROM (SELECT 1) AS "one" LEFT JOIN ({households_sql}) AS "visible" ON 1 = 1'
        )
        return sql, [*residents_params, *households_params]

    def run(limit: int) -> tuple[list[int], bool]:
        """The household ids from the first `limit` residents, and whether more matched."""
        shape = tuple(sorted(patterns))  # which patterns, so which filters
        rows = precompiled_sql(
            key=None if key is None else ("households named", key, shape, limit),
            build=lambda bind: build(bind, limit),
            values=patterns,
        )
        return sorted(row[1] for row in rows if row[1] is not None), rows[0][0] > limit

    first = resident_limit
    if household_limit is not None:
        first = min(resident_limit, _FIRST_FOLLOW * (household_limit + 1))
    try:
        ids, capped = run(first)
        if capped and first < resident_limit and len(ids) <= household_limit:
            ids, capped = run(resident_limit)
    except EmptyResultSet:
        return NameMatches([], False)
    return NameMatches(ids, residents_capped=capped)
