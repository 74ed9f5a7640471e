"""A webhook receiver for tests: a real HTTP server on 127.0.0.1 in a thread that verifies every
request with the standardwebhooks library and dedupes on webhook-id, as a receiver should."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError

# What a receiver answers besides its status; it must never end up in the database.
ANSWER_BODY = b"receiver-says-something-private"


class Receiver:
    def __init__(self):
        self.secret: str | None = None  # set to the endpoint's secret to verify
        self.answers: list[int] = []  # status codes to answer, first in first out ...
        self.default = 204  # ... then this one
        self.delay = 0.0  # seconds to take per request
        self.requests: list[dict] = []  # every POST to the hook path
        self.delivered: dict[str, bytes] = {}  # webhook-id -> body, first 2xx answer only
        self.duplicates: list[str] = []  # webhook-ids answered 2xx more than once
        self.followed: list[str] = []  # requests to the redirect target (must stay empty)
        self.port = 0
        self.server: ThreadingHTTPServer | None = None
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> "Receiver":
        """Listen (again on the same port after stop(): a receiver that comes back)."""
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Down: connections are refused."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                receiver.followed.append(self.path)
                self.send_response(200)
                self.end_headers()

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.path != "/hook":
                    receiver.followed.append(self.path)
                    self.send_response(204)
                    self.end_headers()
                    return
                headers = dict(self.headers)
                try:
                    Webhook(receiver.secret).verify(body, headers)
                    verified = True
                except WebhookVerificationError:
                    verified = False
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    status = receiver.answers.pop(0) if receiver.answers else receiver.default
                    if not verified:
                        status = 401
                    receiver.requests.append(
                        {"headers": headers, "body": body, "verified": verified, "status": status}
                    )
                    message_id = headers.get("webhook-id", "")
                    if 200 <= status < 300:
                        if message_id in receiver.delivered:
                            receiver.duplicates.append(message_id)
                        else:
                            receiver.delivered[message_id] = body
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                self.send_header("Content-Length", str(len(ANSWER_BODY)))
                self.end_headers()
                self.wfile.write(ANSWER_BODY)

            def log_message(self, *args):
                pass

        return Handler
