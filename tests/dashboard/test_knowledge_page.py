"""The Knowledge page through the real app, on both backends: the site's entries, an owner's
add, CSV import and remove (through knowledge/service.py, as the CLI), the CSV's bad rows and
size as messages on the page, CSRF, viewers, and another site's entries as the same 404."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from elnudge.dashboard.knowledge_page import MAX_CSV_BYTES
from elnudge.knowledge import service
from elnudge.provisioning import CreatedSite, create_site
from elnudge.runtime import Runtime
from tests.dashboard.conftest import add_user, csrf_of, sign_in

GOOD_CSV = (
    b"kind,title,body,url\n"
    b"faq,Do you ship to Canada?,Yes: 5 to 8 days.,/shipping\n"
    b'policy,Returns,"Unworn items, within 30 days.",\n'
)


def url(site: CreatedSite, tail: str = "") -> str:
    return f"/dashboard/sites/{site.site_id}/knowledge{tail}"


def titles(runtime: Runtime, site: CreatedSite) -> list[str]:
    with runtime.database.read() as connection:
        return [entry["title"] for entry in service.list_entries(connection, site.site_id)]


def add(runtime: Runtime, site: CreatedSite, *titles: str) -> list[str]:
    entries = [service.Entry("faq", title, f"The answer to {title}") for title in titles]
    with runtime.database.write() as connection:
        return service.add_entries(connection, site.site_id, entries, runtime.clock.now_ms())


def entry_form(token: str) -> dict[str, str]:
    return {"csrf_token": token, "kind": "faq", "title": "T", "body": "B"}


def token_of(client: TestClient, site: CreatedSite) -> str:
    return csrf_of(client.get(url(site)).text)


def upload(client: TestClient, site: CreatedSite, data: bytes, token: str, **options: Any) -> Any:
    return client.post(
        url(site, "/import"),
        data={"csrf_token": token},
        files={"file": ("faq.csv", data, "text/csv")},
        **options,
    )


def test_the_page_lists_the_sites_entries_newest_first_and_is_linked(
    signed_in: TestClient, site: CreatedSite, runtime: Runtime
) -> None:
    empty = signed_in.get(url(site))
    assert empty.status_code == 200 and "No entry yet" in empty.text
    add(runtime, site, "Old question", "New question")
    page = signed_in.get(url(site)).text
    assert page.index("New question") < page.index("Old question")
    assert "The answer to New question" in page and 'Entries <span class="muted">(2)' in page
    for form in ('name="title"', 'name="body"', 'type="file"', "Remove…"):
        assert form in page
    overview = signed_in.get(f"/dashboard/sites/{site.site_id}/overview").text
    assert f'href="/dashboard/sites/{site.site_id}/knowledge"' in overview
    assert 'aria-current="page">Knowledge<' in page


def test_an_owner_adds_an_entry(signed_in: TestClient, site: CreatedSite, runtime: Runtime) -> None:
    form = {
        "csrf_token": token_of(signed_in, site),
        "kind": "policy",
        "title": "  Returns <policy>  ",
        "body": "Within 30 days.",
        "url": "/returns",
    }
    added = signed_in.post(url(site), data=form, follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"] == url(site, "?added=1")
    with runtime.database.read() as connection:
        [entry] = service.list_entries(connection, site.site_id)
    assert (entry["kind"], entry["title"], entry["url"]) == (
        "policy",
        "Returns <policy>",
        "/returns",
    )
    page = signed_in.get(added.headers["location"]).text
    assert "Added 1 entry." in page and "Returns &lt;policy&gt;" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "   "}, "title must have 1 to 300 characters"),
        ({"body": "x" * 4001}, "body must have 1 to 4000 characters"),
        ({"kind": "blog"}, "kind must be one of faq, policy"),
        ({"url": "javascript:alert(1)"}, "url must be a path or an http(s) URL"),
        ({"body": "A\x00"}, "body must not contain NUL characters"),
    ],
)
def test_a_bad_entry_is_a_message_and_adds_nothing(
    signed_in: TestClient,
    site: CreatedSite,
    runtime: Runtime,
    changes: dict[str, str],
    message: str,
) -> None:
    form = {"csrf_token": token_of(signed_in, site), "kind": "faq", "title": "Kept?"}
    response = signed_in.post(url(site), data={**form, "body": "Yes.", "url": "", **changes})
    assert response.status_code == 400 and message in response.text
    assert 'role="alert"' in response.text
    if "title" not in changes:
        assert 'value="Kept?"' in response.text  # the draft is kept
    assert titles(runtime, site) == []


def test_an_owner_imports_a_csv_file(
    signed_in: TestClient, site: CreatedSite, runtime: Runtime
) -> None:
    response = upload(signed_in, site, GOOD_CSV, token_of(signed_in, site), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == url(site, "?added=2")
    assert titles(runtime, site) == ["Do you ship to Canada?", "Returns"]
    page = signed_in.get(response.headers["location"]).text
    assert "Added 2 entries." in page and "/shipping" in page


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        (
            GOOD_CSV + b"blog,Q,A,\nfaq,,A,\nfaq,Q,A,ftp://x\n",
            ["Line 4: kind must be one of", "Line 5: title must", "Line 6: url must be"],
        ),
        (b"question,answer\nq,a\n", ["The first row must name the columns kind, title, body"]),
        ("kind,title,body\nfaq,Caf\u00e9,A\n".encode("latin-1"), ["not UTF-8 text"]),
        (b"kind,title,body\n", ["no entries below its first row"]),
        (b'kind,title,body\nfaq,Q,"' + b"x" * 140_000 + b'"\n', ["Line 2 cannot be read"]),
        (b"", ["Choose a CSV file to import."]),
    ],
)
def test_a_bad_file_names_each_bad_row_and_adds_nothing(
    signed_in: TestClient,
    site: CreatedSite,
    runtime: Runtime,
    data: bytes,
    messages: list[str],
) -> None:
    response = upload(signed_in, site, data, token_of(signed_in, site))
    assert response.status_code == 400, response.text
    assert "Nothing was imported" in response.text and 'role="alert"' in response.text
    problems = re.findall(r"<li>([^<]*)</li>", response.text.split('class="problems"')[1])
    assert len(problems) == len(messages)
    for problem, message in zip(problems, messages, strict=True):
        assert message in problem
    assert titles(runtime, site) == []


def test_an_oversized_file_is_refused_before_it_is_read(
    signed_in: TestClient, site: CreatedSite, runtime: Runtime
) -> None:
    token = token_of(signed_in, site)
    row = b"faq,Do you ship?,Yes.,\n"
    big = b"kind,title,body,url\n" + row * (MAX_CSV_BYTES // len(row) + 1)
    declared = upload(signed_in, site, big, token)
    assert declared.status_code == 413 and "larger than 512 KB" in declared.text
    assert 'id="entries-title"' in declared.text  # the page, with the message

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it arrives
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="f.csv"\r\n\r\n'
        for _ in range(MAX_CSV_BYTES // 1024 + 32):
            yield b"x" * 1024

    streamed = signed_in.post(
        url(site, "/import"),
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert streamed.status_code == 413 and "larger than 512 KB" in streamed.text
    assert titles(runtime, site) == []


def test_an_upload_that_is_not_the_pages_form_is_a_400(
    signed_in: TestClient, site: CreatedSite
) -> None:
    token = token_of(signed_in, site)
    encoded = signed_in.post(url(site, "/import"), data={"csrf_token": token, "file": "x"})
    assert encoded.status_code == 400 and "multipart/form-data" in encoded.text
    two_files = signed_in.post(
        url(site, "/import"),
        data={"csrf_token": token},
        files=[("file", ("a.csv", GOOD_CSV)), ("file", ("b.csv", GOOD_CSV))],
    )
    assert two_files.status_code == 400 and "could not be read" in two_files.text
    broken = signed_in.post(
        url(site, "/import"),
        content=b"no boundary here",
        headers={"content-type": "multipart/form-data"},
    )
    assert broken.status_code == 400


def test_an_owner_removes_an_entry_after_confirming(
    signed_in: TestClient, site: CreatedSite, runtime: Runtime
) -> None:
    [kept, removed] = add(runtime, site, "Kept", "Removed")
    listed = signed_in.get(url(site)).text
    assert f'href="{url(site, f"/{removed}/remove")}"' in listed
    confirm = signed_in.get(url(site, f"/{removed}/remove"))
    assert confirm.status_code == 200 and "Remove this entry?" in confirm.text
    assert "The answer to Removed" in confirm.text and titles(runtime, site) == ["Kept", "Removed"]
    done = signed_in.post(
        url(site, f"/{removed}/remove"),
        data={"csrf_token": csrf_of(confirm.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == url(site, "?removed=1")
    assert titles(runtime, site) == ["Kept"]
    assert "Removed." in signed_in.get(done.headers["location"]).text
    again = signed_in.post(url(site, f"/{removed}/remove"), data={"csrf_token": csrf_of(listed)})
    assert again.status_code == 404 and kept


def test_forged_forms_are_refused_and_change_nothing(
    signed_in: TestClient, site: CreatedSite, runtime: Runtime
) -> None:
    [entry_id] = add(runtime, site, "Stays")
    for token in ("", "0" * 64):
        responses = [
            signed_in.post(url(site), data=entry_form(token)),
            upload(signed_in, site, GOOD_CSV, token),
            signed_in.post(url(site, f"/{entry_id}/remove"), data={"csrf_token": token}),
        ]
        for response in responses:
            assert response.status_code == 403
            assert "did not come from this dashboard" in response.text
    assert titles(runtime, site) == ["Stays"]


def test_a_viewer_sees_the_entries_but_no_form_and_cannot_post(
    client: TestClient, site: CreatedSite, runtime: Runtime
) -> None:
    [entry_id] = add(runtime, site, "Visible")
    viewer = add_user(runtime, site.site_id, f"viewer-{site.site_id.lower()}@example.com", "viewer")
    assert sign_in(client, viewer).status_code == 303
    page = client.get(url(site))
    assert page.status_code == 200 and "Visible" in page.text and "You are a viewer" in page.text
    for form in ('name="title"', 'type="file"', "Remove…", "/remove"):
        assert form not in page.text
    token = csrf_of(page.text)  # the sign-out form's: a valid token of this session
    responses = [
        client.post(url(site), data=entry_form(token)),
        upload(client, site, GOOD_CSV, token),
        client.get(url(site, f"/{entry_id}/remove")),
        client.post(url(site, f"/{entry_id}/remove"), data={"csrf_token": token}),
    ]
    for response in responses:
        assert (
            response.status_code == 403
            and "Viewers can see the store&#39;s knowledge" in response.text
        )
    assert titles(runtime, site) == ["Visible"]


def test_another_sites_entries_are_the_same_404_as_unknown_ones(
    signed_in: TestClient, site: CreatedSite, runtime: Runtime
) -> None:
    with runtime.database.write() as connection:
        other = create_site(connection, name="Other", plan="starter", now_ms=0)
    [foreign] = add(runtime, other, "Not yours")
    unknown_id = "know_01JXXXXXXXXXXXXXXXXXXXXXXX"
    unknown = signed_in.get(url(site, f"/{unknown_id}/remove"))
    assert unknown.status_code == 404
    token = token_of(signed_in, site)
    responses = [
        signed_in.get(url(site, f"/{foreign}/remove")),
        signed_in.post(url(site, f"/{foreign}/remove"), data={"csrf_token": token}),
        signed_in.post(url(site, f"/{unknown_id}/remove"), data={"csrf_token": token}),
        signed_in.get(url(other)),
        signed_in.get(url(other, f"/{foreign}/remove")),
        signed_in.post(url(other, f"/{foreign}/remove"), data={"csrf_token": token}),
        signed_in.post(url(other), data=entry_form(token)),
        upload(signed_in, other, GOOD_CSV, token),
    ]
    for response in responses:
        assert response.status_code == 404 and response.text == unknown.text
    assert titles(runtime, other) == ["Not yours"]
    assert "Not yours" not in signed_in.get(url(site)).text


def test_entries_are_paged_50_at_a_time(
    signed_in: TestClient, site: CreatedSite, runtime: Runtime
) -> None:
    add(runtime, site, *[f"Question {i:02d}" for i in range(60)])
    first = signed_in.get(url(site)).text
    shown = re.findall(r'<span class="title">(Question \d\d)</span>', first)
    assert shown == [f"Question {i:02d}" for i in reversed(range(10, 60))]
    older = re.search(r'rel="next" href="(\?before=know_[0-9A-Z]{26})"', first)
    assert older
    second = signed_in.get(url(site, older.group(1))).text
    shown = re.findall(r'<span class="title">(Question \d\d)</span>', second)
    assert shown == [f"Question {i:02d}" for i in reversed(range(10))]
    assert 'rel="next"' not in second and "← Newest entries" in second


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?before=know_%27%20OR%201", "link is not valid"),
        ("?colour=red", "Unknown filter"),
    ],
)
def test_bad_links_are_a_message(
    signed_in: TestClient, site: CreatedSite, runtime: Runtime, query: str, message: str
) -> None:
    add(runtime, site, "Still listed")
    response = signed_in.get(url(site, query))
    assert response.status_code == 400 and message in response.text
    assert "Still listed" in response.text


def test_a_truncated_upload_is_a_400(signed_in: TestClient, site: CreatedSite) -> None:
    head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="f.csv"\r\n\r\nkind,ti'
    response = signed_in.post(
        url(site, "/import"),
        content=head,
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 400 and "could not be read" in response.text
