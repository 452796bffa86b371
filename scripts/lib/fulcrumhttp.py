"""HTTP to fulcrumd's control socket, for the benchmark scripts (the standard library has no
Unix-socket HTTP client)."""

import http.client
import json
import socket


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=5):
        super().__init__("fulcrum", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def get(path, endpoint):
    """GET `endpoint` (e.g. /v1/status) from the control socket at `path`, as JSON."""
    connection = UnixHTTPConnection(path)
    try:
        connection.request("GET", endpoint)
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()
