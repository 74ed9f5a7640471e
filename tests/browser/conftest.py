"""Browser tests: Debian's Chromium driven by Playwright. Never silently passing: without
Chromium they are skipped with the reason, and scripts/check_skips.py fails the run."""

import os
from pathlib import Path

import pytest

from tests.browser.sweep import DESKTOP, DemoSite, log_in, seed_demo_site

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # next to one unless told that this test thread is not async code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _live_server_idle_before_flush():
    """After each browser test, wait for the requests the live server is still answering (a
    page's htmx sections load after it) before pytest-django flushes the database: a flush
    during a request's query deadlocks (tests/inflight.py). Set up after pytest-django's own
    autouse fixtures, so torn down before their flush."""
    yield
    from tests.inflight import wait_until_idle

    # the pages (and their browser contexts) are closed by now: no new requests start
    wait_until_idle()


@pytest.fixture
def login(page):
    def do_login(username: str, password: str = "wijkwerk-test"):  # noqa: S107 - test user
        page.goto("/accounts/login/")
        page.get_by_label("Gebruikersnaam").fill(username)
        page.get_by_label("Wachtwoord").fill(password)
        page.keyboard.press("Enter")
        # "**/" would also match the login page itself: wait until we have left it
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return do_login


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Tests on the `demo_site` take no database fixture, so pytest-django has sorted them with
    the tests that need no database: they run last, after the transactional tests, and the
    fixture's flush at the end of their module disturbs no one. Marked only now, after that
    sorting, so that pytest-django also creates the test database when they run alone."""
    for item in items:
        if "demo_site" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """The demo municipality, seeded once for the test module and served by a live server of
    its own: pytest-django's `live_server` would empty the database after every test.
    Tests using this fixture take no `db`/`live_server` fixture; pytest-django runs them after
    the database tests, and the database is emptied again when the module is done."""
    from django.core.management import call_command
    from django.db import connections
    from pytest_django.live_server_helper import LiveServer

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with django_db_blocker.unblock():
        key_pages = seed_demo_site()
        # Playwright's event loop may give this fixture's teardown another context, hence
        # another connection: close each one after use, or the test database cannot be dropped
        connections.close_all()
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield DemoSite(url=server.url, key_pages=key_pages)
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            connections.close_all()


@pytest.fixture
def demo_page(browser, demo_site):
    """demo_page(username=None, viewport=DESKTOP, javascript=True) -> a page on the demo site,
    logged in as that demo user (password wijkwerk-demo) unless username is None."""
    contexts = []

    def open_page(username=None, viewport=DESKTOP, javascript=True):
        context = browser.new_context(
            base_url=demo_site.url,
            locale="nl-NL",
            viewport=viewport,
            java_script_enabled=javascript,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        if username:
            log_in(page, username)
        return page

    yield open_page
    for context in contexts:
        context.close()
