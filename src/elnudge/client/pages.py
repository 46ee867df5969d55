"""Pages of a list, and walking them to the end.

A page keeps the items exactly as the API gave them (`raw_data`, what an export writes) and
builds the typed `data` on first use. The next page is asked for with the same parameters plus
`cursor`: the API continues the original query over the original window, so pages never shift
when new sessions arrive.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Generic, TypeVar

from elnudge.client.calls import PageBody

T = TypeVar("T")


class _PageBase(Generic[T]):
    def __init__(self, body: PageBody, item: Callable[[dict[str, Any]], T]) -> None:
        self.raw_data = body.data
        self.has_more = body.has_more
        self.next_cursor = body.next_cursor
        self._item = item
        self._data: list[T] | None = None

    @property
    def data(self) -> list[T]:
        """The page's items, typed."""
        if self._data is None:
            self._data = [self._item(raw) for raw in self.raw_data]
        return self._data

    def __repr__(self) -> str:
        kind = type(self).__name__
        return f"<{kind} of {len(self.raw_data)} items, has_more={self.has_more}>"


class Page(_PageBase[T]):
    """One page of a list: `data`, `has_more`, `next_cursor`."""

    def __init__(
        self,
        body: PageBody,
        item: Callable[[dict[str, Any]], T],
        fetch: Callable[[str], Page[T]],
    ) -> None:
        super().__init__(body, item)
        self._fetch = fetch

    def next_page(self) -> Page[T] | None:
        """The following page, or None after the last."""
        return self._fetch(self.next_cursor) if self.next_cursor and self.has_more else None

    def iter_pages(self) -> Iterator[Page[T]]:
        """This page and every one after it."""
        page: Page[T] | None = self
        while page is not None:
            yield page
            page = page.next_page()

    def auto_paging_iter(self) -> Iterator[T]:
        """Every item from this page to the end of the list, fetching pages as needed."""
        for page in self.iter_pages():
            yield from page.data


class AsyncPage(_PageBase[T]):
    """One page of a list, for `AsyncClient`: `data`, `has_more`, `next_cursor`."""

    def __init__(
        self,
        body: PageBody,
        item: Callable[[dict[str, Any]], T],
        fetch: Callable[[str], Awaitable[AsyncPage[T]]],
    ) -> None:
        super().__init__(body, item)
        self._fetch = fetch

    async def next_page(self) -> AsyncPage[T] | None:
        """The following page, or None after the last."""
        return await self._fetch(self.next_cursor) if self.next_cursor and self.has_more else None

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        """This page and every one after it."""
        page: AsyncPage[T] | None = self
        while page is not None:
            yield page
            page = await page.next_page()

    async def auto_paging_iter(self) -> AsyncIterator[T]:
        """Every item from this page to the end of the list (`async for`)."""
        async for page in self.iter_pages():
            for item in page.data:
                yield item
