"""Pages of long lists without counting them: counting a million rows to print
"1,000,000 articles" costs a scan of the table on every page view, and nobody pages that
far. ``CappedPaginator`` counts up to a cap (the admin's lists); ``uncounted_page`` only
knows whether there is a next page (the desk's newest-first logs)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most ``cap + 1`` rows (a bounded read, whatever the table's size);
    ``capped`` says there are more than ``cap``, and the pages stop at the cap's."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "query"):
            # Only the ids, in no order: the count reads at most cap + 1 index entries
            # and computes none of the list's annotations.
            return rows.order_by().values("pk")[: self.cap + 1].count()
        return min(len(rows), self.cap + 1)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        return super().num_pages if not self.capped else -(-self.cap // self.per_page)


@dataclass
class UncountedPage:
    """One page of a list read newest first, told apart from the next without counting:
    the page reads one row more than it shows. Deep pages cost their OFFSET, no more."""

    object_list: list
    number: int
    has_next: bool

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def uncounted_page(queryset, number, per_page: int) -> UncountedPage:
    """Page ``number`` (1 on anything that is not a positive whole number)."""
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(queryset[start:start + per_page + 1])
    return UncountedPage(object_list=rows[:per_page], number=number,
                         has_next=len(rows) > per_page)
