"""Requests the test server is still answering, so a browser test's teardown can wait for them.

A page's htmx sections load after the page (`hx-trigger="load"`); when a browser test ends
while such a request is still being answered, pytest-django's flush of the database (TRUNCATE)
and that request's query wait on each other's locks (a deadlock, or a flush that fails). The
test settings put this middleware first; `tests/browser/conftest.py` waits for it to be idle
before the flush."""

import threading

_lock = threading.Condition()
_active = 0


class InflightRequestsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        global _active
        with _lock:
            _active += 1
        try:
            return self.get_response(request)
        finally:
            with _lock:
                _active -= 1
                _lock.notify_all()


def wait_until_idle(timeout: float = 10.0) -> bool:
    """Wait until no request is being answered (at most `timeout` seconds); True when idle."""
    with _lock:
        return _lock.wait_for(lambda: _active == 0, timeout=timeout)
