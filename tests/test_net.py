"""The one HTTP client against real servers on 127.0.0.1 that misbehave.

Each failure of the wire (a cut chunked body, a garbage chunk size, a bad
status line, a body shorter than announced, a slow drip) ends in one
NetworkError naming the URL; redirects are checked at every hop; addresses
outside the trusted origin are refused unless allowed; credentials stay with
their origin; what deserves a retry gets one, and a 404 does not.
"""

from __future__ import annotations

import time

import pytest
from badserver import BadServer, Pause, answer, chunked, redirect

from podcast.errors import NetworkError
from podcast.net import Client, Kind, Policy
from podcast.net import client as net_client


@pytest.fixture
def server():
    s = BadServer().start()
    yield s
    s.stop()


@pytest.fixture
def other():
    s = BadServer().start()
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    """Retries still happen, with a short pause (the policy itself is tested below)."""
    monkeypatch.setattr(net_client, "BACKOFF", 0.01)


def client_for(*servers, **kw) -> Client:
    return Client(Policy.of([s.base for s in servers]), **kw)


def fails(server, path: str, *fragments: str, kind="json", **kw) -> NetworkError:
    url = server.base + path
    with client_for(server, **kw) as client, pytest.raises(NetworkError) as caught:
        client.get(url, kind)
    text = caught.value.format()
    assert text.startswith(url + ": "), text
    for fragment in fragments:
        assert fragment in text, text
    return caught.value


@pytest.mark.parametrize("raw, words", [
    (chunked(b"hello", end=b"5\r\nwor"), "broken HTTP"),  # cut mid-chunk
    (chunked(b"hello", end=b"zz\r\nworld\r\n0\r\n\r\n"), "broken HTTP"),  # garbage size
    (b"HTTP/1.1 two hundred OK\r\nContent-Length: 2\r\n\r\nhi", "broken HTTP"),
    (b"ICY 200 OK\r\n\r\nhi", "broken HTTP"),
    (answer(200, b"short", length=500), "broken HTTP"),  # shorter than Content-Length
    (b"", "broken HTTP"),  # closed without a word, every time
])
def test_broken_http_is_one_clear_error(server, raw, words):
    server.routes["/x"] = lambda r: raw
    fails(server, "/x", words)


def test_150_headers_are_read_or_refused_clearly(server):
    many = {f"X-Header-{i}": "v" for i in range(150)}
    server.routes["/x"] = lambda r: answer(200, b"body", many)
    with client_for(server) as client:
        assert client.get(server.base + "/x") == b"body"


def test_a_slow_drip_meets_the_deadline(server):
    drip = [answer(200, b"", length=100)] + [Pause(0.2), b"x"] * 100
    server.routes["/body"] = lambda r: drip
    head = [b"HTTP/1.1 200 OK\r\n"] + [Pause(0.2), b"X-A: b\r\n"] * 100
    server.routes["/head"] = lambda r: head
    for path in ("/body", "/head"):
        started = time.monotonic()
        fails(server, path, "took longer than 1 s", kind=Kind(1 << 20, 1.0))
        assert time.monotonic() - started < 2.5


def test_size_caps_by_kind(server):
    server.routes["/big"] = lambda r: answer(200, b"x" * 5000)
    server.routes["/sneaky"] = lambda r: answer(200, b"x" * 5000, length=-1)
    fails(server, "/big", "more than the", kind=Kind(1024, 10.0))
    fails(server, "/sneaky", "more than the", kind=Kind(1024, 10.0))


def test_redirects_are_checked_at_every_hop(server):
    server.routes["/ftp"] = lambda r: redirect("ftp://127.0.0.1/file.mp3")
    server.routes["/file"] = lambda r: redirect("file:///etc/passwd")
    server.routes["/a"] = lambda r: redirect("/b")
    server.routes["/b"] = lambda r: redirect(server.base + "/a")
    server.routes["/hop0"] = lambda r: redirect("/hop1")
    for n in range(1, 30):
        server.routes[f"/hop{n}"] = (lambda n: lambda r: redirect(f"/hop{n + 1}"))(n)
    fails(server, "/ftp", "redirects to ftp://127.0.0.1/file.mp3", "not an http(s) address")
    fails(server, "/file", "not an http(s) address")
    err = fails(server, "/a", "redirects in a loop", "trying again will not help")
    assert "busy" not in err.format()
    fails(server, "/hop0", "redirects more than 10 times")


def test_the_address_rule(server, other):
    other.routes["/secret"] = lambda r: answer(200, b"internal answer")
    server.routes["/go"] = lambda r: redirect(other.base + "/secret")
    # Another port on loopback, by redirect or named directly: refused, nothing fetched.
    fails(server, "/go", f"127.0.0.1:{other.port}", "loopback", "refused",
          f"--allow-host 127.0.0.1:{other.port}")
    with client_for(server) as client, pytest.raises(NetworkError, match="refused"):
        client.get(other.base + "/secret")
    with client_for(server) as client, pytest.raises(NetworkError, match="link-local"):
        client.get("http://169.254.169.254/latest/meta-data/")
    with client_for(server) as client, pytest.raises(NetworkError, match="loopback"):
        client.get(f"http://localhost:{server.port}/go")  # same port, another name
    assert other.requests == []
    # Allowed explicitly: fetched.
    policy = Policy.of([server.base], [f"127.0.0.1:{other.port}"])
    with Client(policy) as client:
        assert client.get(server.base + "/go") == b"internal answer"


def test_credentials_stay_with_their_origin(server, other):
    other.routes["/landing"] = lambda r: answer(200, b"ok")
    server.routes["/same"] = lambda r: redirect("/landing-here")
    server.routes["/landing-here"] = lambda r: answer(200, b"ok")
    server.routes["/away"] = lambda r: redirect(other.base + "/landing")
    secret = {"Authorization": "Bearer secret", "Cookie": "session=1"}
    with client_for(server, other) as client:
        with client.request(server.base + "/same", headers=secret) as resp:
            assert resp.status == 200
        with client.request(server.base + "/away", headers=secret) as resp:
            assert resp.status == 200 and resp.history == [server.base + "/away"]
    landed = [r for r in server.requests if r.path == "/landing-here"][0]
    assert landed.headers["authorization"] == "Bearer secret"
    (away,) = other.requests
    assert "authorization" not in away.headers and "cookie" not in away.headers


def test_retries_what_deserves_one_and_nothing_else(server):
    answers = iter([answer(503, b"busy"), None, answer(502), answer(200, b"fine")])
    server.routes["/flaky"] = lambda r: next(answers)
    server.routes["/gone"] = lambda r: answer(404, b"no")
    server.routes["/later"] = lambda r: answer(503, headers={"Retry-After": "3600"})
    server.routes["/soon"] = (lambda seen: lambda r: answer(200, b"now") if seen.append(1) or
                              len(seen) > 1 else answer(429, headers={"Retry-After": "0"}))([])
    with client_for(server) as client:
        assert client.get(server.base + "/flaky") == b"fine"
        assert client.get(server.base + "/soon") == b"now"
    assert server.hits("/flaky") == 4 and server.hits("/soon") == 2
    fails(server, "/gone", "answered HTTP 404", "Check the address")
    assert server.hits("/gone") == 1  # a 4xx is final
    started = time.monotonic()
    fails(server, "/later", "answered HTTP 503", "come back in 3600 s", "run the command "
          "again later")
    assert server.hits("/later") == 1 and time.monotonic() - started < 2  # not waited out


def test_a_dead_port_is_explained(server):
    port = server.port
    server.stop()
    with Client(Policy.of([f"http://127.0.0.1:{port}"]), retries=1) as client, \
            pytest.raises(NetworkError, match="cannot be reached"):
        client.get(f"http://127.0.0.1:{port}/x")


def test_backoff_grows_with_jitter_and_a_cap():
    for attempt in range(8):
        step = min(net_client.MAX_BACKOFF, net_client.BACKOFF * 2 ** attempt)
        waits = {net_client.backoff(attempt) for _ in range(50)}
        assert all(step / 2 <= w <= step for w in waits) and len(waits) > 1


def test_the_policy_judges_the_addresses_connected_to():
    policy = Policy.of(["https://feeds.example.org/x"], ["10.0.0.5:8080"])
    assert policy.is_trusted("feeds.example.org", 443)
    assert not policy.is_trusted("feeds.example.org", 8443)
    for address, kind in [("127.0.0.1", "loopback"), ("10.1.2.3", "private"),
                          ("169.254.169.254", "link-local"), ("::1", "loopback"),
                          ("::ffff:127.0.0.1", "loopback"), ("0.0.0.0", "unspecified"),
                          ("224.0.0.1", "multicast"), ("100.64.0.1", "reserved")]:
        with pytest.raises(NetworkError, match=kind):
            policy.addresses(address, 80)
    assert policy.addresses("10.0.0.5", 8080) == ["10.0.0.5"]  # allowed explicitly
    assert policy.addresses("93.184.216.34", 80) == ["93.184.216.34"]  # public
