"""Stands in for UASAM behind make cluster's HAProxy: the paths this service
does not serve (everything outside /api/agent/ and
/api/project/v1/sdk/backend/key/) are routed here, as production routes
them to UASAM. Answers every request with a JSON 404 that names itself
(header X-Served-By: uasam-stub), so a misrouted path is plain to see.
CLUSTER_UASAM=host:port routes those paths to a real UASAM instead."""
import http.server
import json
import sys


class Stub(http.server.BaseHTTPRequestHandler):
    def answer(self):
        body = json.dumps({
            "status": 0,
            "status_code": 404,
            "message": "make cluster has no UASAM: this path is UASAM's "
                       "(CLUSTER_UASAM=host:port routes it to one)",
            "served_by": "uasam-stub",
        }).encode()
        # The request body, if any, is read so the connection stays usable.
        length = int(self.headers.get("Content-Length") or 0)
        if 0 < length <= 1 << 20:
            self.rfile.read(length)
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Served-By", "uasam-stub")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = answer

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Stub).serve_forever()
