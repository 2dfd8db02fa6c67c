"""A local stand-in for Nominatim's /search, so that the fuzz pass never sends its junk to the public service:
an address mentioning Saku (佐久) is found at Sakudaira station, anything else is not found.
Usage: python scripts/nominatim_stub.py PORT"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

SAKU = {"lat": "36.27796", "lon": "138.46424", "display_name": "佐久平駅, 佐久市, 長野県, 日本"}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        query = " ".join(parse_qs(url.query).get("q", []))
        found = [SAKU] if url.path.rstrip("/") == "/search" and ("佐久" in query or "saku" in query.lower()) else []
        body = json.dumps(found).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
