"""A local stand-in for FCM's HTTP v1 send endpoint (POST /v1/projects/{project}/messages:send), on 127.0.0.1.

It keeps every message it accepted, readable at GET /messages (JSON list), and answers 404 UNREGISTERED, as FCM
does for a removed app, for tokens that start with `unregistered-`. Used by tests/notifications and by
scripts/client_check.sh (`python -m tests.notifications.fcm_stand_in PORT`)."""

import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SEND_PATH = re.compile(r"^/v1/projects/(?P<project>[^/]+)/messages:send$")
UNREGISTERED = {
    "error": {
        "code": 404,
        "message": "Requested entity was not found.",
        "status": "NOT_FOUND",
        "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"}],
    }
}


class StandIn(ThreadingHTTPServer):
    def __init__(self, port: int = 0):
        super().__init__(("127.0.0.1", port), Handler)
        self.messages: list[dict] = []
        self.authorizations: list[str] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: StandIn

    def _answer(self, status: int, body) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        match = SEND_PATH.match(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if match is None or "message" not in body:
            self._answer(400, {"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": "bad request"}})
            return
        message = body["message"]
        if str(message.get("token", "")).startswith("unregistered-"):
            self._answer(404, UNREGISTERED)
            return
        with self.server.lock:
            self.server.messages.append(message)
            self.server.authorizations.append(self.headers.get("Authorization", ""))
            number = len(self.server.messages)
        self._answer(200, {"name": f"projects/{match['project']}/messages/{number}"})

    def do_GET(self):
        if self.path != "/messages":
            self._answer(404, {})
            return
        with self.server.lock:
            self._answer(200, list(self.server.messages))

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    StandIn(int(sys.argv[1])).serve_forever()
