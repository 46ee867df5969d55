"""What a page or file that elNudge serves references: anything on another origin is a
finding. Used by tests/web/test_offline_audit.py (every HTML, CSS and JS file reachable from
the pages in `PAGES`) and by the browser check in tests/browser/offline.py.

HTML and CSS are held to the strictest rule: no absolute URL of another origin at all, not even
a link. JavaScript is checked for the hosts its strings name: our own files name none; the
vendored Swagger UI bundle names some in strings that never load (specification links, XML
namespaces, examples), each reviewed in `INERT_HOSTS`. The browser test is the proof that
nothing loads; this audit catches a new reference before a browser would.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from tests.browser.offline import OFFLINE_PAGES

# Pages that link to everything else elNudge serves to browsers: the browser check's list, so
# the dashboard's pages, added there when it lands, are audited here too.
PAGES = tuple(OFFLINE_PAGES)
# Hosts named in vendored JavaScript strings that the code never fetches, with why.
INERT_HOSTS = {
    "www.w3.org": "XML and SVG namespace names",
    "json-schema.org": "JSON Schema dialect identifiers",
    "spec.openapis.org": "OpenAPI dialect identifiers",
    "datatracker.ietf.org": "links in error messages to RFCs",
    "www.rfc-editor.org": "links in error messages to RFCs",
    "github.com": "links in comments and error messages",
    "swagger.io": "a link in the About text",
    "validator.swagger.io": "the validity badge, off (validatorUrl: null in web/apidocs.py)",
    "example.com": "examples in the default values of sample requests",
    "spdx.org": "licence identifiers",
    "reactjs.org": "React's error message decoder link",
    "redux.js.org": "Redux's error message link",
    "fb.me": "React's warning links",
    "vladimirgorej.com": "a link in a comment",
    "base": "a placeholder base for relative URL parsing (`https://base`)",
    "www.tiktok.com": "URL recognisers of a link-formatting library",
    "twitter.com": "URL recognisers of a link-formatting library",
    "instagram.com": "URL recognisers of a link-formatting library",
    "www.facebook.com": "URL recognisers of a link-formatting library",
    "soundcloud.com": "URL recognisers of a link-formatting library",
}
OUR_JS_HOSTS = {"YOUR-ELNUDGE-HOST": "the installation example in sdk.js's opening comment"}
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+(?:url\()?\s*['"]?([^'");\s]+)""")
_JS_URL = re.compile(r"""https?://([A-Za-z0-9][A-Za-z0-9.-]*)""")


def is_foreign(reference: str) -> bool:
    """An absolute or protocol-relative URL, or one with a scheme that leaves the page."""
    reference = reference.strip()
    if reference.startswith(("data:", "#")):
        return False
    parts = urlsplit(reference)
    return bool(parts.netloc) or parts.scheme not in ("", "data")


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in ("src", "href", "action", "poster", "data", "formaction"):
                self.urls.append(value)
            if value and name == "srcset":
                self.urls.extend(item.split()[0] for item in value.split(",") if item.strip())
            if value and name == "style":
                self.inline.append(value)

    def handle_data(self, data: str) -> None:
        self.inline.append(data)


def html_references(html: str) -> list[str]:
    """Every URL an HTML page names in an attribute."""
    parser = _References()
    parser.feed(html)
    parser.close()
    return parser.urls


def html_findings(html: str) -> list[str]:
    """Foreign URLs in attributes, and any absolute URL in inline scripts and styles."""
    parser = _References()
    parser.feed(html)
    parser.close()
    found = [url for url in parser.urls if is_foreign(url)]
    for text in parser.inline:
        found.extend(match.group(0) for match in _JS_URL.finditer(text))
    return found


def css_references(css: str) -> list[str]:
    return [first or second for first, second in _CSS_URL.findall(css)]


def css_findings(css: str) -> list[str]:
    return [url for url in css_references(css) if is_foreign(url)]


def js_findings(js: str, *, allowed: dict[str, str]) -> list[str]:
    """Hosts named in `https?://` strings that are not in `allowed`."""
    return sorted({host for host in _JS_URL.findall(js) if host not in allowed})


def findings(content_type: str, text: str, *, vendored: bool = False) -> list[str]:
    """Every reference to another origin in a file of this type."""
    if content_type.startswith("text/html"):
        return html_findings(text)
    if content_type.startswith("text/css"):
        return css_findings(text)
    if "javascript" in content_type:
        return js_findings(text, allowed=INERT_HOSTS if vendored else OUR_JS_HOSTS)
    return []
