"""uvicorn's HTTP protocol, answering requests it cannot parse with a problem document.

uvicorn refuses what httptools cannot parse (a URL over 65,535 bytes, a malformed request line)
with a text/plain 400 before the app sees the request; the contract promises
application/problem+json for every error.
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

PROBLEM = {
    "type": "about:blank",
    "title": "Bad Request",
    "status": 400,
    "detail": "The request is not valid HTTP/1.1, or its URL is longer than 65,535 bytes",
}


class ProblemHttpToolsProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        body = json.dumps(PROBLEM).encode()
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        head += [
            name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers
        ]
        head += [
            b"content-type: application/problem+json\r\n",
            b"content-length: " + str(len(body)).encode() + b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()
