"""The store's knowledge: entries added, listed, removed and imported; the full-text index kept
in step with them and with the catalogue; every search scoped by site (and mode for products)."""

from __future__ import annotations

import io

import pytest

from elnudge.errors import InvalidRequest, NotFound
from elnudge.knowledge import service
from elnudge.knowledge.csvfile import MAX_PROBLEMS, CsvRejected, entries_from_csv, read_csv
from elnudge.knowledge.search import best_match, product_text
from elnudge.provisioning import CreatedSite, create_site
from elnudge.runtime import Runtime
from tests.storefront import Relay, envelope

RETURNS = service.Entry("policy", "Returns policy", "Return unworn items within 30 days.", "/r")


def ask(runtime: Runtime, site_id: str, question: str, mode: str = "live") -> str | None:
    with runtime.database.read() as connection:
        match = best_match(connection, site_id, mode, question)
    return None if match is None else match.title


def test_add_list_remove(runtime: Runtime, site: CreatedSite) -> None:
    now = runtime.clock.now_ms()
    with runtime.database.write() as connection:
        [entry_id] = service.add_entries(connection, site.site_id, [RETURNS], now)
        [listed] = service.list_entries(connection, site.site_id)
    assert listed == {
        "id": entry_id,
        "kind": "policy",
        "title": "Returns policy",
        "body": "Return unworn items within 30 days.",
        "url": "/r",
    }
    assert ask(runtime, site.site_id, "Can I return my shoes?") == "Returns policy"
    with runtime.database.write() as connection:
        service.remove_entry(connection, site.site_id, entry_id)
        with pytest.raises(NotFound):
            service.remove_entry(connection, site.site_id, entry_id)
    assert ask(runtime, site.site_id, "Can I return my shoes?") is None  # the index followed


@pytest.mark.parametrize(
    ("entry", "param"),
    [
        (service.Entry("blog", "t", "b"), "kind"),
        (service.Entry("faq", "  ", "b"), "title"),
        (service.Entry("faq", "t" * 301, "b"), "title"),
        (service.Entry("faq", "t", ""), "body"),
        (service.Entry("faq", "t", "b", "javascript:alert(1)"), "url"),
    ],
)
def test_bad_entries_name_their_field(
    runtime: Runtime, site: CreatedSite, entry: service.Entry, param: str
) -> None:
    with runtime.database.write() as connection, pytest.raises(InvalidRequest) as raised:
        service.add_entries(connection, site.site_id, [RETURNS, entry], runtime.clock.now_ms())
    assert raised.value.param == param
    with runtime.database.read() as connection:
        assert service.list_entries(connection, site.site_id) == []  # all or none


def test_unknown_site(runtime: Runtime) -> None:
    with runtime.database.write() as connection, pytest.raises(NotFound):
        service.add_entries(connection, "site_nope", [RETURNS], runtime.clock.now_ms())


def test_csv_import_names_the_bad_line() -> None:
    good = "kind,title,body,url\nfaq,Q1,A1,\npolicy,P1,B1,/p\n"
    entries = read_csv(io.StringIO(good))
    assert [(e.kind, e.title, e.url) for e in entries] == [
        ("faq", "Q1", None),
        ("policy", "P1", "/p"),
    ]
    with pytest.raises(InvalidRequest, match="Line 3"):
        read_csv(io.StringIO("kind,title,body\nfaq,Q,A\nfaq,,A\n"))
    with pytest.raises(InvalidRequest) as raised:
        read_csv(io.StringIO("question,answer\nq,a\n"))
    assert raised.value.param == "file"


def test_csv_names_every_bad_row_as_a_spreadsheet_numbers_it() -> None:
    text = (
        'kind,title,body\nfaq,Q,"two\nlines"\n\nblog,Q,A\n,,\nfaq,,A\nfaq,Q,A\n' + "faq,Q,\n" * 12
    )
    with pytest.raises(CsvRejected) as raised:
        read_csv(io.StringIO(text, newline=""))
    problems = raised.value.problems
    # Row 2 spans two lines, row 3 is blank and row 5 empty (both skipped).
    assert problems[0].startswith("Line 4: kind must be one of faq, policy")
    assert problems[1].startswith("Line 6: title must have")
    assert problems[2].startswith("Line 8: body must have")
    assert len(problems) == MAX_PROBLEMS and raised.value.more == 14 - MAX_PROBLEMS
    assert "and 4 more bad rows" in raised.value.message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The first row must name the columns kind, title, body, url"),
        (b"kind,title,body,url\n", "no entries below its first row"),
        ("kind,title,body\nfaq,Caf\u00e9,A\n".encode("latin-1"), "not UTF-8 text (byte 24)"),
        (b'kind,title,body\nfaq,Q,"' + b"x" * 200_000 + b'"\n', "Line 2 cannot be read as CSV"),
        (b"kind,title,body\nfaq,Q,A\x00\n", "Line 2: body must not contain NUL"),
        (b"kind,title,body\n" + b"faq,Q,A\n" * 2001, "2,001 entries, more than 2,000: split it"),
    ],
)
def test_a_file_that_is_not_good_csv_is_a_clear_refusal(data: bytes, message: str) -> None:
    with pytest.raises(CsvRejected) as raised:
        entries_from_csv(data)
    assert message in raised.value.message and raised.value.param == "file"


def test_csv_bytes_a_spreadsheet_saves() -> None:
    data = "\ufeffKind , Title,Body\r\nPOLICY,Retours,Sous 30 jours.\r\n".encode()
    [entry] = entries_from_csv(data)
    assert (entry.kind, entry.title, entry.body, entry.url) == (
        "policy",
        "Retours",
        "Sous 30 jours.",
        None,
    )


def test_pages_of_entries_newest_first_in_the_files_order(
    runtime: Runtime, site: CreatedSite
) -> None:
    entries = [service.Entry("faq", f"Q{i}", f"A{i}") for i in range(7)]
    with runtime.database.write() as connection:
        service.add_entries(connection, site.site_id, entries, runtime.clock.now_ms())
        other = create_site(connection, name="Other", plan="starter", now_ms=0)
        service.add_entries(connection, other.site_id, [RETURNS], runtime.clock.now_ms())
    titles: list[str] = []
    before = None
    with runtime.database.read() as connection:
        while True:
            page = service.entries_page(connection, site.site_id, before, 3)
            assert page.total == 7
            titles += [entry["title"] for entry in page.entries]
            before = page.next_before
            if before is None:
                break
        assert titles == [f"Q{i}" for i in reversed(range(7))]
        with pytest.raises(InvalidRequest):
            service.entries_page(connection, site.site_id, "know_' OR 1=1", 3)


def test_another_sites_knowledge_is_never_used(runtime: Runtime, site: CreatedSite) -> None:
    with runtime.database.write() as connection:
        other = create_site(connection, name="Other", plan="starter", now_ms=0)
        service.add_entries(connection, other.site_id, [RETURNS], runtime.clock.now_ms())
    assert ask(runtime, other.site_id, "What is the returns policy?") == "Returns policy"
    assert ask(runtime, site.site_id, "What is the returns policy?") is None


def product_view(name: str, product_id: str = "prod_1", **data: object) -> dict[str, object]:
    payload = {"product_id": product_id, "product_name": name, "price": 99.0, **data}
    return envelope("PRODUCT_VIEW", "2026-05-01T11:58:00Z", "/products/p1", payload)


def test_the_catalogue_is_searched_in_its_mode(
    runtime: Runtime, site: CreatedSite, relay: Relay
) -> None:
    relay.send(product_view("Daily Miles", currency="USD", stock=0))
    match_title = ask(runtime, site.site_id, "How much are the Daily Miles?")
    assert match_title == "Daily Miles"
    assert ask(runtime, site.site_id, "How much are the Daily Miles?", mode="test") is None
    # A newer view renames the product: the index follows the update.
    renamed = product_view("Daily Miles Plus", currency="USD", stock=0)
    renamed["ts"] = "2026-05-01T11:59:00Z"
    relay.send(renamed)
    with runtime.database.read() as connection:
        match = best_match(connection, site.site_id, "live", "Daily Miles Plus price")
    assert match is not None and match.title == "Daily Miles Plus"
    assert match.text == "Daily Miles Plus costs 99.00 USD and is sold out."


def test_product_text() -> None:
    assert product_text("Tee", 24.0, "USD", 3) == "Tee costs 24.00 USD and is in stock (3 left)."
    assert product_text("Tee", None, None, None) == "Tee."
    assert product_text("Tee", 1234.5, None, None) == "Tee costs 1,234.50."


@pytest.mark.parametrize(
    "question",
    ["", "???", "the and of", 'x" OR site_id:*', "ship') OR 1=1 --", "a & b | !c:*", "日本語"],
)
def test_odd_questions_never_break_the_search(
    runtime: Runtime, site: CreatedSite, question: str
) -> None:
    with runtime.database.write() as connection:
        service.add_entries(connection, site.site_id, [RETURNS], runtime.clock.now_ms())
    assert ask(runtime, site.site_id, question) is None
