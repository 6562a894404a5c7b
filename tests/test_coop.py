"""Several accounts on one thread (``coop.Hub``) and the sockets that wait on it (``x.netio``).

Concurrency is proven by order and by servers that answer only once every request is in,
never by timing: a hub that did not switch would leave those servers waiting.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator

import httpx
import pytest

from twitter_blocker import coop
from twitter_blocker.engine.clock import SystemClock
from twitter_blocker.engine.facts import SharedFacts
from twitter_blocker.x import netio, wire

LIMITS = httpx.Limits(max_connections=4, max_keepalive_connections=4, keepalive_expiry=30)


def test_tasks_interleave_where_they_wait() -> None:
    order: list[str] = []
    stop = threading.Event()

    def task(name: str, seconds: float) -> None:
        hub = coop.current()
        assert hub is not None
        order.append(f"{name} starts")
        hub.sleep(seconds, stop)
        order.append(f"{name} ends")

    coop.Hub().run([lambda: task("slow", 0.3), lambda: task("fast", 0.05)])
    assert order == ["slow starts", "fast starts", "fast ends", "slow ends"]


def test_no_hub_outside_a_task() -> None:
    seen: list[coop.Hub | None] = []
    assert coop.current() is None
    coop.Hub().run([lambda: seen.append(coop.current())])
    assert seen[0] is not None
    assert coop.current() is None  # the thread is free for another hub


def test_a_stop_ends_a_long_sleep_of_every_task() -> None:
    stop = threading.Event()
    ended: list[bool] = []
    clock = SystemClock()

    def sleeper() -> None:
        ended.append(clock.wait(3600.0, stop))  # the engine's waits go through its clock

    def stopper() -> None:
        clock.wait(0.05, threading.Event())
        stop.set()

    coop.Hub().run([sleeper, sleeper, stopper])
    assert ended == [True, True]


def test_a_socket_wait_lets_the_writer_run_and_times_out_alone() -> None:
    left, right = socket.socketpair()
    quiet, _other = socket.socketpair()
    got: list[object] = []
    try:

        def reader() -> None:
            hub = coop.current()
            assert hub is not None
            got.append(hub.wait_io(left, netio.READ, 30.0))
            got.append(left.recv(10))
            got.append(hub.wait_io(quiet, netio.READ, 0.05))  # nothing comes: False

        def writer() -> None:
            right.sendall(b"hello")

        coop.Hub().run([reader, writer])
    finally:
        for s in (left, right, quiet, _other):
            s.close()
    assert got == [True, b"hello", False]


def test_park_waits_for_a_wake_or_its_timeout() -> None:
    key = object()
    got: list[tuple[str, bool]] = []

    def parked() -> None:
        hub = coop.current()
        assert hub is not None
        got.append(("woken", hub.park(key, 30.0)))
        got.append(("timed out", hub.park(key, 0.05)))

    def waker() -> None:
        hub = coop.current()
        assert hub is not None
        hub.wake(key)

    coop.Hub().run([parked, waker])
    assert got == [("woken", True), ("timed out", False)]


def test_a_task_exception_ends_the_run() -> None:
    def bad() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        coop.Hub().run([bad])
    assert coop.current() is None


def test_shared_facts_claim_waits_for_the_other_account_on_the_hub() -> None:
    facts = SharedFacts()
    stop = threading.Event()
    order: list[str] = []

    def first() -> None:
        assert facts.claim("a", ["k"], stop)
        order.append("a claimed")
        SystemClock().wait(0.05, stop)  # its lookup is in flight
        order.append("a releases")
        facts.release("a", ["k"])

    def second() -> None:
        assert facts.claim("b", ["k"], stop)
        order.append("b claimed")

    coop.Hub().run([first, second])
    assert order == ["a claimed", "a releases", "b claimed"]
    assert facts.counts.waits == 1


class _AllOrNothing:
    """A loopback HTTP/1.1 server that answers no request before ``expected`` are in."""

    def __init__(self, expected: int, tls: ssl.SSLContext | None = None) -> None:
        self.expected = expected
        self.tls = tls
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.arrived = threading.Barrier(expected, timeout=10)
        self.threads: list[threading.Thread] = []

    def serve(self) -> None:
        for _ in range(self.expected):
            conn, _ = self.listener.accept()
            thread = threading.Thread(target=self._answer, args=(conn,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _answer(self, conn: socket.socket) -> None:
        if self.tls is not None:
            conn = self.tls.wrap_socket(conn, server_side=True)
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(4096)
            try:
                self.arrived.wait()  # every client's request is in: only a hub that switched
                body = b"all in"
            except threading.BrokenBarrierError:
                body = b"alone"
            head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            conn.sendall(head + body)

    def __enter__(self) -> _AllOrNothing:
        threading.Thread(target=self.serve, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.listener.close()


def _fetch_all(url: str, count: int, ssl_context: ssl.SSLContext | None = None) -> list[str]:
    bodies: list[str] = []

    def fetch() -> None:
        with httpx.Client(transport=wire.Transport(LIMITS, ssl_context), timeout=20) as client:
            bodies.append(client.get(url).text)

    coop.Hub().run([fetch] * count)
    return bodies


def test_requests_of_several_tasks_are_in_flight_at_once() -> None:
    with _AllOrNothing(3) as server:
        bodies = _fetch_all(f"http://127.0.0.1:{server.port}/", 3)
    assert bodies == ["all in"] * 3


@pytest.fixture(scope="module")
def tls_pair(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ssl.SSLContext, ssl.SSLContext]]:
    """A server context with a fresh self-signed certificate and a client context trusting it."""
    where = tmp_path_factory.mktemp("tls")
    key, cert = where / "key.pem", where / "cert.pem"
    try:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
    except FileNotFoundError:
        pytest.skip("no openssl command to make a test certificate")
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    yield server_side, ssl.create_default_context(cafile=str(cert))


def test_tls_requests_of_several_tasks_are_in_flight_at_once(
    tls_pair: tuple[ssl.SSLContext, ssl.SSLContext],
) -> None:
    server_side, client_side = tls_pair
    with _AllOrNothing(2, tls=server_side) as server:
        bodies = _fetch_all(f"https://127.0.0.1:{server.port}/", 2, client_side)
    assert bodies == ["all in"] * 2


def test_without_a_hub_a_request_blocks_as_httpx_does(
    tls_pair: tuple[ssl.SSLContext, ssl.SSLContext],
) -> None:
    server_side, client_side = tls_pair
    with _AllOrNothing(1, tls=server_side) as server:
        transport = wire.Transport(LIMITS, client_side)
        with httpx.Client(transport=transport, timeout=20) as client:
            assert client.get(f"https://127.0.0.1:{server.port}/").text == "all in"


def _error_on_the_hub(url: str, timeout: float) -> BaseException | None:
    caught: list[BaseException] = []

    def fetch() -> None:
        with httpx.Client(transport=wire.Transport(LIMITS), timeout=timeout) as client:
            try:
                client.get(url)
            except httpx.HTTPError as exc:
                caught.append(exc)

    coop.Hub().run([fetch])
    return caught[0] if caught else None


def test_a_read_timeout_on_the_hub_is_httpx_s_timeout() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        port = silent.getsockname()[1]
        error = _error_on_the_hub(f"http://127.0.0.1:{port}/", 0.2)
    assert isinstance(error, httpx.ReadTimeout)


def test_a_refused_connection_on_the_hub_is_httpx_s_connect_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as gone:
        port = gone.getsockname()[1]
    assert isinstance(_error_on_the_hub(f"http://127.0.0.1:{port}/", 5), httpx.ConnectError)
