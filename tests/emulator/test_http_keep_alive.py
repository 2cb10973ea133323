"""The embedded server keeps HTTP/1.1 connections open, and closes them when it must.

HTTP/1.1 connections are persistent unless either side sends ``Connection: close``; a
request's body ends where its Content-Length says (RFC 9112, sections 9.3 and 6.3). AWS
endpoints keep connections alive, and SDKs pool them. ``extensions/http_keep_alive.py`` keeps a
connection open only when the request's body was read to its end; these tests pin that each
request on a kept connection gets its own answer, and when the connection is closed instead.
"""

from __future__ import annotations

import http.client
import json
import socket
from typing import Any

import pytest

from meshcore_emulator import EmbeddedAws

FAULT = {"service": "glue", "operation": "GetTable", "kind": "throttle", "rate": 1.0}


def _connect(aws: EmbeddedAws) -> http.client.HTTPConnection:
    host, port = aws.endpoint_url.removeprefix("http://").rsplit(":", 1)
    return http.client.HTTPConnection(host, int(port), timeout=10)


def _call(
    connection: http.client.HTTPConnection,
    method: str,
    route: str,
    payload: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[http.client.HTTPResponse, Any]:
    body = None if payload is None else json.dumps(payload)
    connection.request(method, f"/_emulator/{route}", body=body, headers=headers or {})
    response = connection.getresponse()
    return response, json.loads(response.read() or b"null")


def test_requests_with_bodies_share_one_connection(aws: EmbeddedAws) -> None:
    connection = _connect(aws)
    try:
        response, _ = _call(connection, "POST", "faults", FAULT)
        assert response.status == 201
        first = connection.sock
        response, answer = _call(connection, "GET", "faults")
        assert response.getheader("Connection") is None
        assert [f["operation"] for f in answer["faults"]] == ["GetTable"]
        _call(connection, "DELETE", "faults")
        response, answer = _call(connection, "GET", "faults")
        assert answer == {"faults": []}
        assert connection.sock is first  # never reconnected
    finally:
        connection.close()


def test_a_client_asking_to_close_is_closed(aws: EmbeddedAws) -> None:
    connection = _connect(aws)
    try:
        response, _ = _call(connection, "GET", "health", headers={"Connection": "close"})
        assert response.getheader("Connection") == "close"
        assert connection.sock is None  # http.client closed it, as the server said
    finally:
        connection.close()


def test_http_1_0_and_unknown_body_lengths_close(aws: EmbeddedAws) -> None:
    host, port = aws.endpoint_url.removeprefix("http://").rsplit(":", 1)
    for request in (
        b"GET /_emulator/health HTTP/1.0\r\n\r\n",
        b"POST /_emulator/reset HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ):
        with socket.create_connection((host, int(port)), timeout=10) as raw:
            raw.sendall(request)
            answer = b""
            while chunk := raw.recv(65536):  # ends only because the server closes
                answer += chunk
        assert b"Connection: close" in answer


def test_stopping_closes_kept_connections() -> None:
    aws = EmbeddedAws.start(host="127.0.0.1", port=0)
    connection = _connect(aws)
    try:
        response, _ = _call(connection, "GET", "health")
        assert response.status == 200
        aws.stop()
        with pytest.raises((http.client.HTTPException, OSError)):
            _call(connection, "GET", "health")
    finally:
        connection.close()
