"""The dashboard (``/_mock/ui``) in a real browser, and the admin API it is built on.

The browser is the distribution's Chromium (Debian's ``chromium``), driven by Playwright for Python
with ``executable_path`` (no browser download). Without Playwright or Chromium the browser tests skip,
saying why, unless ``MOCKSERVER_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that a failure.
With ``MOCKSERVER_DASHBOARD_SCREENSHOT=docs/dashboard.png`` the screenshot test writes the docs' picture.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anthropic
import httpx
import pytest
from anthropic_models_mock import Catalog, create_app
from anthropic_models_mock.http.dashboard import CONTENT_SECURITY_POLICY, FILES, read_asset
from anthropic_models_mock.http.server import BackgroundServer
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 1">'
LONG_ID = "claude-" + "x" * 193  # 200 characters
VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOT_ENV = "MOCKSERVER_DASHBOARD_SCREENSHOT"


# -- the admin API the page uses ---------------------------------------------------------------------
@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Catalog.synthetic(30, 5)), raise_server_exceptions=False) as test_client:
        yield test_client


def test_the_page_and_its_files_are_served_with_a_strict_policy(client: TestClient) -> None:
    for path, name in [("/_mock/ui", "index.html"), ("/_mock/ui/app.js", "app.js"), ("/_mock/ui/app.css", "app.css")]:
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == FILES[name]
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["request-id"].startswith("req_")
        assert response.content == read_asset(name)
    assert client.get("/_mock/journal").json()["requests"] == []  # the page is not journaled


def test_the_page_loads_nothing_from_elsewhere() -> None:
    page = read_asset("index.html").decode()
    script = read_asset("app.js").decode()
    assert "http://" not in page + script and "https://" not in page + script
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "outerHTML" not in script
    assert "<script>" not in page and " style=" not in page  # the policy allows no inline script or style


def test_the_page_is_off_with_the_admin_api() -> None:
    with TestClient(create_app(Catalog.synthetic(3, 1), admin=False)) as plain:
        assert plain.get("/_mock/ui").status_code == 404
        assert plain.get("/_mock/journal/stream?timeout=0").status_code == 404


def test_the_journal_after_a_seq_and_the_newest_few(client: TestClient) -> None:
    for n in range(5):
        client.get(f"/v1/models?limit={n + 1}", headers=HEADERS)
    client.get("/v1/models/nope", headers=HEADERS)
    whole = client.get("/_mock/journal").json()
    assert [r["seq"] for r in whole["requests"]] == [1, 2, 3, 4, 5, 6]
    assert (whole["seq"], whole["total"], whole["size"], whole["epoch"]) == (6, 6, 6, 0)
    assert whole["statuses"] == {"200": 5, "404": 1}
    assert [r["seq"] for r in client.get("/_mock/journal?after=4").json()["requests"]] == [5, 6]
    assert [r["seq"] for r in client.get("/_mock/journal?limit=2").json()["requests"]] == [5, 6]
    assert [r["seq"] for r in client.get("/_mock/journal?after=1&limit=1").json()["requests"]] == [6]
    assert client.get("/_mock/journal?after=6").json()["requests"] == []
    assert whole["requests"][0]["time"].endswith("Z")
    cleared = client.delete("/_mock/journal").json()
    assert (cleared["requests"], cleared["total"], cleared["seq"], cleared["epoch"]) == ([], 0, 6, 1)
    client.get("/v1/models", headers=HEADERS)
    assert [r["seq"] for r in client.get("/_mock/journal?after=0").json()["requests"]] == [7]  # never reused


@pytest.mark.parametrize(
    "query", ["after=-1", "after=x", "after=1.5", "after=", "limit=0", "limit=x", f"after={2**63}"]
)
def test_a_bad_cursor_or_limit_is_a_400(client: TestClient, query: str) -> None:
    response = client.get(f"/_mock/journal?{query}")
    assert response.status_code == 400, response.text
    assert query.split("=")[0] in response.json()["error"]["message"]


def events(text: str) -> list[tuple[str, str | None, dict[str, Any]]]:
    """The server-sent events of a stream's body: (event, id, data)."""
    found = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "event" in fields:
            found.append((fields["event"], fields.get("id"), json.loads(fields["data"])))
    return found


def test_the_stream_sends_the_summary_then_each_request(client: TestClient) -> None:
    client.get("/v1/models", headers=HEADERS)
    client.get("/v1/models/nope", headers=HEADERS)
    response = client.get("/_mock/journal/stream?timeout=0")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["request-id"].startswith("req_")
    assert response.text.startswith("retry: ")
    got = events(response.text)
    assert [(name, event_id) for name, event_id, _ in got] == [("journal", None), ("request", "1"), ("request", "2")]
    assert got[0][2]["statuses"] == {"200": 1, "404": 1}
    assert got[2][2]["path"] == "/v1/models/nope" and got[2][2]["headers"]["x-api-key"] == "[redacted]"
    after = events(client.get("/_mock/journal/stream?timeout=0&after=1").text)
    assert [event_id for _, event_id, _ in after] == [None, "2"]
    resumed = events(client.get("/_mock/journal/stream?timeout=0", headers={"last-event-id": "2"}).text)
    assert [name for name, _, _ in resumed] == ["journal"]
    restarted = events(client.get("/_mock/journal/stream?timeout=0&after=99").text)  # another server's cursor
    assert [event_id for _, event_id, _ in restarted] == [None, "1", "2"]


@pytest.mark.parametrize("query", ["timeout=-1", "timeout=x", "timeout=nan", "timeout=3601", "after=x"])
def test_a_bad_stream_parameter_is_a_400(client: TestClient, query: str) -> None:
    assert client.get(f"/_mock/journal/stream?{query}").status_code == 400


def test_a_stream_is_live_over_a_socket() -> None:
    """A request made while the stream is open arrives on it; a stream ends after its timeout."""
    with BackgroundServer(create_app(Catalog.synthetic(5, 1))) as server, httpx.Client(timeout=10) as http:
        with http.stream("GET", f"{server.url}/_mock/journal/stream?timeout=10") as stream:
            lines = stream.iter_lines()
            assert next(lines).startswith("retry: ")
            assert '"seq":0' in next(line for line in lines if line.startswith("data: "))
            http.get(f"{server.url}/v1/models/claude-live", headers=HEADERS)
            entry = next(json.loads(line[6:]) for line in lines if line.startswith("data: ") and '"path"' in line)
            assert (entry["path"], entry["status"], entry["seq"]) == ("/v1/models/claude-live", 404, 1)
        ended = http.get(f"{server.url}/_mock/journal/stream?timeout=0.2")
        assert [name for name, _, _ in events(ended.text)] == ["journal", "request"]


def test_the_state_says_the_catalog_as_of(client: TestClient) -> None:
    with TestClient(create_app()) as default:
        assert default.get("/_mock").json()["catalog"]["as_of"] == Catalog.default().as_of
    assert client.get("/_mock").json()["catalog"]["as_of"] == client.app.mock.catalog.as_of  # type: ignore[attr-defined]
    with TestClient(create_app(Catalog([]))) as empty:
        assert empty.get("/_mock").json()["catalog"]["as_of"] is None


# -- a real browser ----------------------------------------------------------------------------------
def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed: pip install -e '.[test]'"
    if chromium() is None:
        return "no Chromium on PATH: install the distribution's package (apt-get install chromium)"
    return None


def chromium() -> str | None:
    return os.environ.get("MOCKSERVER_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = chromium_missing()
    if reason is not None:
        if os.environ.get("MOCKSERVER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"MOCKSERVER_REQUIRE_BROWSER=1, but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium(), headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app()) as running:
        yield running


class Page:
    """A dashboard open in the browser, and what went wrong in it."""

    def __init__(self, page: Any, url: str) -> None:
        self.page = page
        self.url = url
        self.errors: list[str] = []
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self) -> Any:
        self.page.goto(f"{self.url}/_mock/ui")
        self.page.wait_for_selector("body[data-ready=true]", timeout=10_000)
        return self.page


@pytest.fixture
def dashboard(browser: Any, server: BackgroundServer) -> Iterator[Page]:
    server.app.mock.reset()  # type: ignore[attr-defined]
    context = browser.new_context(viewport=VIEWPORT, color_scheme="light")
    try:
        yield Page(context.new_page(), server.url)
    finally:
        context.close()
        server.app.mock.reset()  # type: ignore[attr-defined]


def sdk(url: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=url, api_key="test-key", max_retries=2)


def test_the_page_loads_without_console_errors(dashboard: Page) -> None:
    page = dashboard.open()
    from playwright.sync_api import expect

    expect(page.locator("#live")).to_have_text("● live", timeout=5000)
    expect(page.locator("#model-count")).to_have_text(f"{len(Catalog.default()):,}")
    for tab in ("#tab-catalog", "#tab-faults", "#tab-journal"):
        page.click(tab)
    expect(page.locator("#journal-empty")).to_be_visible()
    assert dashboard.errors == []


def test_a_request_made_with_the_sdk_shows_within_two_seconds(dashboard: Page) -> None:
    from playwright.sync_api import expect

    page = dashboard.open()
    raw = sdk(dashboard.url).models.with_raw_response.retrieve("claude-sonnet-4-5")
    request_id = raw.headers["request-id"]
    row = page.locator(f'#journal-rows tr[data-request-id="{request_id}"]')
    expect(row).to_be_visible(timeout=2000)
    expect(row.locator("td").nth(1)).to_have_text("GET")
    expect(row.locator("td").nth(2)).to_have_text("/v1/models/claude-sonnet-4-5")
    expect(row.locator("td").nth(4)).to_have_text("200")
    expect(row.locator("td").nth(5)).to_have_text("key:" + hashlib.blake2b(b"test-key", digest_size=4).hexdigest())
    row.locator("button").press("Enter")  # the keyboard opens it too
    expect(page.locator("#journal-detail")).to_be_visible()
    headers = page.locator("#journal-detail-headers").inner_text()
    assert "Bearer [redacted]" in headers and "test-key" not in headers  # the SDK's key, never kept
    page.keyboard.press("Escape")
    expect(page.locator("#journal-detail")).to_be_hidden()
    assert dashboard.errors == []


def admin_path(path: str) -> Any:
    """A Playwright URL matcher: the admin API's ``path`` (``/_mock/...``), whatever the query."""
    return lambda url: urlsplit(url).path == path


def test_the_first_paint_shows_the_journal_without_the_live_stream(dashboard: Page, server: BackgroundServer) -> None:
    """Loading says so (never "No request yet"); then the journal shows, counted as listed, the stream still off."""
    from playwright.sync_api import expect

    made = [httpx.get(f"{server.url}/v1/models?limit={n}", headers=HEADERS).headers["request-id"] for n in (1, 2, 3)]
    httpx.get(f"{server.url}/v1/models", headers={**HEADERS, "x-mock-dashboard": "1"})  # hidden in the list
    page = dashboard.page
    held: list[Any] = []
    page.route(admin_path("/_mock/journal/stream"), lambda route: None)  # never answered: the stream never connects
    page.route(admin_path("/_mock/journal"), lambda route: held.append(route))  # answered below
    page.goto(f"{dashboard.url}/_mock/ui")
    expect(page.get_by_text("No request yet")).to_be_hidden()
    expect(page.get_by_text("Loading the journal")).to_be_visible()
    expect(page.locator("#journal-count")).to_have_text("")
    page.wait_for_function("document.getElementById('model-count').textContent !== ''")  # the catalog, meanwhile
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_selector("body[data-ready=true]", timeout=10_000)
    rows = page.locator("#journal-rows tr:visible")
    expect(rows).to_have_count(3)
    assert [row.get_attribute("data-request-id") for row in rows.all()] == made[::-1]  # newest first
    expect(page.locator("#journal-count")).to_have_text("3")
    expect(page.locator("#statuses")).to_have_text("3 requests 200 \N{MULTIPLICATION SIGN} 3")
    expect(page.get_by_text("Loading the journal")).to_be_hidden()
    expect(page.get_by_text("No request yet")).to_be_hidden()
    expect(page.locator("#model-count")).to_have_text(f"{len(Catalog.default()):,}")
    expect(page.locator("#live")).to_have_text("connecting…")  # all of it without the stream
    assert dashboard.errors == []


def test_the_count_is_of_the_listed_requests_only(dashboard: Page) -> None:
    """The dashboard's own requests (the catalog tab's) are not listed, so not counted, unless shown."""
    from playwright.sync_api import expect

    page = dashboard.open()
    expect(page.locator("#live")).to_have_text("● live", timeout=5000)
    page.click("#tab-catalog")
    expect(page.locator("#model-rows tr").first).to_be_visible()
    page.fill("#lookup-id", "claude-sonnet-4-5")
    page.press("#lookup-id", "Enter")
    expect(page.locator("#model-detail")).to_be_visible()
    sdk(dashboard.url).models.retrieve("claude-sonnet-4-5")
    page.click("#tab-journal")
    rows = page.locator("#journal-rows tr")
    expect(rows).to_have_count(3, timeout=2000)  # the page's list and retrieve, and the SDK's retrieve
    expect(page.locator("#journal-rows tr:visible")).to_have_count(1)
    expect(page.locator("#journal-count")).to_have_text("1")
    expect(page.locator("#statuses")).to_have_text("1 request 200 \N{MULTIPLICATION SIGN} 1")
    page.check("#show-own")
    expect(page.locator("#journal-rows tr:visible")).to_have_count(3)
    expect(page.locator("#journal-count")).to_have_text("3")
    page.uncheck("#show-own")
    expect(page.locator("#journal-count")).to_have_text("1")
    page.reload()  # the first paint counts the same way
    page.wait_for_selector("body[data-ready=true]", timeout=10_000)
    expect(page.locator("#journal-rows tr:visible")).to_have_count(1)
    expect(page.locator("#journal-count")).to_have_text("1")
    assert dashboard.errors == []


def test_a_429_sequence_set_in_the_page_is_retried_through_then_reset_clears_it(
    dashboard: Page, server: BackgroundServer
) -> None:
    from playwright.sync_api import expect

    page = dashboard.open()
    page.click("#tab-faults")
    page.fill("#sequence-statuses", "429, 429")
    page.fill("#sequence-retry-after", "0.01")
    page.click("#add-sequence button[type=submit]")
    expect(page.locator("#fault-list li")).to_have_count(2)
    expect(page.locator("#tab-faults .badge")).to_have_text("2")
    assert [rule["status"] for rule in server.app.mock.faults.to_json()["scripted"]] == [429, 429]  # type: ignore[attr-defined]

    assert sdk(dashboard.url).models.list().data  # the SDK retried twice, then got the page
    page.click("#tab-journal")
    statuses = page.locator("#journal-rows tr td:nth-child(5)")
    expect(statuses).to_have_text(["200", "429", "429"], timeout=2000)  # newest first
    page.click("#tab-faults")
    expect(page.locator("#no-faults")).to_be_visible()  # used up

    page.fill("#rate", "1")
    page.click("#set-rate button[type=submit]")
    expect(page.locator("#fault-list li")).to_have_count(1)
    page.click("#reset")
    expect(page.locator("#no-faults")).to_be_visible()
    expect(page.locator("#message")).to_contain_text("Reset")
    assert server.app.mock.faults.to_json()["fail_rate"]["rate"] == 0  # type: ignore[attr-defined]
    page.click("#tab-journal")
    expect(page.locator("#journal-rows tr")).to_have_count(0, timeout=2000)  # the journal was emptied too
    assert dashboard.errors == []


def test_a_bad_fault_is_explained_not_applied(dashboard: Page, server: BackgroundServer) -> None:
    from playwright.sync_api import expect

    page = dashboard.open()
    page.click("#tab-faults")
    page.fill("#sequence-statuses", "429, 99")
    page.click("#add-sequence button[type=submit]")
    expect(page.locator("#message")).to_contain_text("status")
    expect(page.locator("#message")).to_have_class("error")
    assert server.app.mock.faults.to_json()["scripted"] == []  # type: ignore[attr-defined]


def test_the_catalog_pages_filters_and_shows_json(dashboard: Page) -> None:
    from playwright.sync_api import expect

    page = dashboard.open()
    page.click("#tab-catalog")
    rows = page.locator("#model-rows tr")
    expect(rows.first).to_be_visible()
    shown = len(Catalog.default().view(frozenset({"active", "deprecated"})))
    expect(rows).to_have_count(min(shown, 50))
    expect(page.locator("#catalog-info")).to_contain_text(f"as of {Catalog.default().as_of}")
    page.check("#lifecycles input[value=retired]")
    page.uncheck("#lifecycles input[value=active]")
    page.uncheck("#lifecycles input[value=deprecated]")
    expect(page.locator("#model-rows tr td:nth-child(4)").first).to_have_text("retired")
    lifecycles = set(page.locator("#model-rows tr td:nth-child(4)").all_inner_texts())
    assert lifecycles == {"retired"}
    page.fill("#lookup-id", "claude-sonnet-4-5")
    page.press("#lookup-id", "Enter")  # an alias
    expect(page.locator("#model-detail-title")).to_have_text("claude-sonnet-4-5 → claude-sonnet-4-5-20250929")
    model = json.loads(page.locator("#model-json").inner_text())
    assert model["id"] == "claude-sonnet-4-5-20250929" and model["type"] == "model"
    expect(page.locator("#alias-rows tr").first).to_be_visible()
    assert dashboard.errors == []


def test_pages_through_a_big_catalog(browser: Any) -> None:
    """Older and newer walk the fake's own cursors; the count of a million models and 200-character ids fit."""
    from playwright.sync_api import expect

    models = [
        {
            "id": f"{LONG_ID[:-4]}{n:04d}",
            "display_name": f"Model {n}",
            "created_at": f"2030-01-01T00:{n // 60:02d}:{n % 60:02d}Z",
        }
        for n in range(120)
    ]
    with BackgroundServer(create_app(Catalog(models, source="big"))) as big:
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.route(f"{big.url}/_mock", a_million_models)  # what a catalog of a million reports
            page.goto(f"{big.url}/_mock/ui#catalog")
            page.wait_for_selector("body[data-ready=true]")
            rows = page.locator("#model-rows tr")
            expect(rows).to_have_count(50)
            expect(page.locator("#catalog-info")).to_contain_text("1,000,000 models")
            first = rows.first.get_attribute("data-id")
            page.click("#older")
            expect(page.locator("#page-info")).to_contain_text("page 2")
            page.click("#older")
            expect(rows).to_have_count(20)
            expect(page.locator("#older")).to_be_disabled()
            page.click("#newer")
            page.click("#newer")
            expect(page.locator("#newer")).to_be_disabled()
            expect(rows.first).to_have_attribute("data-id", first or "")
            httpx.get(f"{big.url}/v1/models/{LONG_ID}", params={"beta": "true"}, headers={**HEADERS, "x-long": LONG_ID})
            page.click("#tab-journal")
            page.locator("#journal-rows tr button:visible").first.click()  # the dashboard's own rows are hidden
            expect(page.locator("#journal-detail")).to_be_visible()
            for tab in ("#tab-journal", "#tab-catalog"):
                page.click(tab)
                assert no_horizontal_overflow(page), tab
            page.locator("#model-rows tr button").first.click()
            assert no_horizontal_overflow(page)
        finally:
            context.close()


def a_million_models(route: Any) -> None:
    response = route.fetch()
    state = response.json()
    route.fulfill(response=response, json={**state, "catalog": {**state["catalog"], "models": 1_000_000}})


def no_horizontal_overflow(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_what_a_catalog_or_a_request_carries_is_shown_as_text(browser: Any) -> None:
    from playwright.sync_api import expect

    model = {"id": "claude-hostile-1", "display_name": HOSTILE, "created_at": "2030-01-01T00:00:00Z"}
    app = create_app(Catalog([model], source=HOSTILE, as_of=HOSTILE))
    with BackgroundServer(app) as hostile:
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{hostile.url}/_mock/ui")
            page.wait_for_selector("body[data-ready=true]")
            # A model id carrying <script>, asked for (the catalog itself refuses such an id), and headers.
            httpx.get(
                f"{hostile.url}/v1/models/{HOSTILE}", headers={**HEADERS, "x-note": HOSTILE}, params={"q": HOSTILE}
            )
            row = page.locator("#journal-rows tr").first
            expect(row.locator("td").nth(2)).to_have_text(f"/v1/models/{HOSTILE}", timeout=2000)
            expect(row.locator("td").nth(4)).to_have_text("404")
            row.locator("button").click()
            expect(page.locator("#journal-detail-headers")).to_contain_text(HOSTILE)
            page.click("#tab-catalog")
            expect(page.locator("#model-rows tr td").nth(1)).to_have_text(HOSTILE)
            expect(page.locator("#catalog-info")).to_contain_text(f"source: {HOSTILE} · as of {HOSTILE}")
            page.locator("#model-rows tr button").first.click()
            expect(page.locator("#model-json")).to_contain_text("window.__pwned")
            assert page.evaluate("window.__pwned") is None
            assert page.evaluate("document.querySelectorAll('img').length") == 0
            assert page.evaluate("document.scripts.length") == 1  # app.js, nothing else
            assert errors == []
        finally:
            context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_readable_in_light_and_dark(browser: Any, server: BackgroundServer, scheme: str) -> None:
    """Text and its background differ by WCAG's contrast ratio of 4.5 at least, in both schemes."""
    server.app.mock.reset()  # type: ignore[attr-defined]
    httpx.get(f"{server.url}/v1/models/claude-nope", headers=HEADERS)
    httpx.get(f"{server.url}/v1/models", headers=HEADERS)
    context = browser.new_context(viewport=VIEWPORT, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/_mock/ui")
        page.wait_for_selector("#journal-rows tr")
        ratios = page.evaluate(
            CONTRAST_JS,
            [
                "body",
                "th",
                "td",
                "button.link",
                ".status.s2xx",
                ".status.s4xx",
                "#tab-faults",
                ".hint, .empty, caption",
            ],
        )
        assert all(ratio >= 4.5 for ratio in ratios.values()), ratios
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert (background == "rgb(255, 255, 255)") == (scheme == "light"), background
    finally:
        context.close()
        server.app.mock.reset()  # type: ignore[attr-defined]


CONTRAST_JS = """
(selectors) => {
  const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = ([r, g, b]) => {
    const [R, G, B] = [r, g, b].map((c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const background = (node) => {
    for (; node; node = node.parentElement) {
      const color = getComputedStyle(node).backgroundColor;
      if (color !== "rgba(0, 0, 0, 0)" && color !== "transparent") return rgb(color);
    }
    return [255, 255, 255];
  };
  const result = {};
  for (const selector of selectors) {
    const node = document.querySelector(selector);
    if (!node) { result[selector] = 0; continue; }
    const [a, b] = [luminance(rgb(getComputedStyle(node).color)), luminance(background(node))];
    result[selector] = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }
  return result;
}
"""


def test_the_tabs_work_with_the_keyboard(dashboard: Page) -> None:
    from playwright.sync_api import expect

    page = dashboard.open()
    page.focus("#tab-journal")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#catalog")).to_be_visible()
    expect(page.locator("#tab-catalog")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#faults")).to_be_visible()
    page.keyboard.press("Tab")  # into the panel: its controls are reachable
    assert page.evaluate("document.activeElement.closest('#faults') !== null")


# -- CORS, as a browser enforces it ----------------------------------------------------------------------
OTHER_PAGE = "<!doctype html><title>another origin</title><p>a page on another origin</p>"

FETCH_JS = """
async ([url, headers, init]) => {
  try {
    const response = await fetch(url, {headers, ...init});
    return {status: response.status, body: await response.json()};
  } catch (error) {
    return {error: String(error)};
  }
}
"""


@pytest.fixture(scope="module")
def other_origin() -> Iterator[str]:
    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse(OTHER_PAGE)

    with BackgroundServer(Starlette(routes=[Route("/", page)])) as other:
        yield other.url


def test_a_page_on_another_origin_reads_the_api_with_the_opt_in_only(
    browser: Any, server: BackgroundServer, other_origin: str
) -> None:
    server.app.mock.reset()  # type: ignore[attr-defined]
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(other_origin)
        url = f"{server.url}/v1/models?limit=3"
        opted = page.evaluate(FETCH_JS, [url, {**HEADERS, "anthropic-dangerous-direct-browser-access": "true"}, {}])
        assert opted.get("status") == 200, opted
        assert len(opted["body"]["data"]) == 3
        blocked = page.evaluate(FETCH_JS, [url, HEADERS, {}])
        assert "error" in blocked and "Failed to fetch" in blocked["error"], blocked  # the 401 is not readable
        # The admin API answers its own origin only: no reading the journal, no setting a fault.
        assert "error" in page.evaluate(FETCH_JS, [f"{server.url}/_mock/journal", {}, {}])
        forged = {"method": "POST", "body": '{"status": 529, "times": null}', "mode": "no-cors"}
        page.evaluate(FETCH_JS, [f"{server.url}/_mock/faults", {"content-type": "text/plain"}, forged])
        assert server.app.mock.faults.to_json()["scripted"] == []  # type: ignore[attr-defined]
        statuses = [entry.status for entry in server.app.mock.journal]  # type: ignore[attr-defined]
        assert statuses == [200, 401]
    finally:
        context.close()
        server.app.mock.reset()  # type: ignore[attr-defined]


# -- the docs' picture -----------------------------------------------------------------------------------
def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_screenshot(browser: Any, server: BackgroundServer, tmp_path: Path) -> None:
    """The docs' dashboard.png, made here: MOCKSERVER_DASHBOARD_SCREENSHOT=docs/dashboard.png pytest -k screenshot."""
    from playwright.sync_api import expect

    server.app.mock.reset()  # type: ignore[attr-defined]
    context = browser.new_context(viewport=VIEWPORT, color_scheme="light", device_scale_factor=1)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/_mock/ui")
        page.wait_for_selector("body[data-ready=true]")
        client = sdk(server.url)
        server.app.mock.faults.sequence(429, retry_after=0.01)  # type: ignore[attr-defined]
        client.models.list(limit=5)
        client.models.retrieve("claude-sonnet-4-5")
        server.app.mock.faults.add(529, times=None, model_id="claude-opus-4-1", retry_after=0.01)  # type: ignore[attr-defined]
        with pytest.raises(anthropic.NotFoundError):
            client.models.retrieve("claude-nope")
        expect(page.locator("#tab-faults .badge")).to_have_text("1")
        expect(page.locator("#journal-rows tr")).to_have_count(4, timeout=2000)
        page.locator("#journal-rows tr").nth(1).locator("button").click()
        expect(page.locator("#journal-detail")).to_be_visible()
        page.evaluate("document.activeElement.blur()")
        picture = page.screenshot()
        assert png_size(picture) == (VIEWPORT["width"], VIEWPORT["height"])
        target = os.environ.get(SCREENSHOT_ENV)
        out = (ROOT / target) if target else tmp_path / "dashboard.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(picture)
    finally:
        context.close()
        server.app.mock.reset()  # type: ignore[attr-defined]


def test_the_docs_show_the_screenshot() -> None:
    page = (ROOT / "docs" / "dashboard.md").read_text(encoding="utf-8")
    assert "![The dashboard" in page and "(dashboard.png)" in page
    assert png_size((ROOT / "docs" / "dashboard.png").read_bytes()) == (VIEWPORT["width"], VIEWPORT["height"])
