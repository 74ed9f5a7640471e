"""Page-number pagination that skips the COUNT when it is not needed (docs/performance.md).

`Paginator` counts every list before it reads a page: one more query over the same filter.
When the first page is not full, the number of rows is the number read; `FirstPagePaginator`
reads the first page with one row more than it shows, and counts only when that extra row
is there (the list is longer than a page). Other pages work exactly as Django's."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class FirstPagePaginator(Paginator):
    """`count_of`: what to count instead of `object_list` (the same rows without the joins
    and columns the page shows), when the count is needed; `count`: the count when the caller
    knows it already."""

    def __init__(self, object_list, per_page, *args, count_of=None, count=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.count_of = count_of
        if count is not None:  # known already (e.g. a search's steps): never counted
            self.__dict__["count"] = count

    @cached_property
    def count(self) -> int:
        if self.count_of is not None:
            return self.count_of.count()
        return super().count

    def get_page(self, number):
        """As `Paginator.get_page`; the first page (also for a missing or malformed number)
        without a COUNT when it is not full."""
        try:
            first = int(number) == 1
        except (TypeError, ValueError):
            first = True
        return self.page(1) if first else super().get_page(number)

    def page(self, number):
        if str(number) != "1" or "count" in self.__dict__:
            return super().page(number)
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.__dict__["count"] = len(rows)  # Paginator.count is a cached_property
        rows = rows[: self.per_page]
        if not rows and not self.allow_empty_first_page and self.count == 0:
            return super().page(number)  # raises EmptyPage like Django's
        return self._get_page(rows, 1, self)
