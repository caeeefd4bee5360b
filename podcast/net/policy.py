"""Where the client may go: schemes, and the address rule against request forgery.

The origin the user named (the feed URL given to ``podcast import``, the
bucket a publish writes to, a hub in podcast.toml) is trusted, whatever its
address. Any other destination, reached directly or by a redirect, must
resolve to public addresses only: loopback, private ranges, link-local
(169.254.169.254, where clouds keep their credentials), shared, multicast and
reserved addresses are refused unless allowed explicitly
(``--allow-host HOST:PORT``). The addresses checked are the ones the socket
then connects to (``transport.py``), so a name that resolves once to a public
address and then to 127.0.0.1 gains nothing.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from podcast.errors import NetworkError

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}


def host_port(url: str) -> tuple[str, int]:
    """``(host, port)`` of an http(s) URL, the host lower-cased and unbracketed."""
    parts = urlsplit(url)
    try:
        port = parts.port or DEFAULT_PORTS.get(parts.scheme, 0)
    except ValueError:
        raise NetworkError(url, "has an invalid port", "Check the address") from None
    return (parts.hostname or "").lower(), port


def check_scheme(url: str, *, via: str | None = None) -> None:
    """Only http and https are fetched, at every hop."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        if via:
            raise NetworkError(via, f"redirects to {url}, which is not an http(s) address",
                               "Only http and https are followed; ask the host to fix the link")
        raise NetworkError(url, "is not an http(s) URL", "Give an address starting with https://")


def parse_allow(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8080`` for IPv6) as given to ``--allow-host``."""
    host, sep, port = value.strip().rpartition(":")
    host = host.strip("[]").lower()
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise NetworkError("--allow-host", f"{value!r} is not HOST:PORT",
                           "Write it as 127.0.0.1:8080 or files.example.org:443")
    return host, int(port)


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A unicast address on the public internet (IPv4 mapped in IPv6 is judged as IPv4)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _kind(ip) -> str:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for name in ("loopback", "unspecified", "link_local", "multicast", "private"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-")
    return "reserved"


@dataclass(frozen=True)
class Policy:
    """Trusted origins (any address) and explicitly allowed ``(host, port)`` pairs."""

    trusted: frozenset[tuple[str, int]] = field(default_factory=frozenset)
    allowed: frozenset[tuple[str, int]] = field(default_factory=frozenset)

    @classmethod
    def of(cls, trusted_urls=(), allow_hosts=()) -> "Policy":
        return cls(frozenset(host_port(u) for u in trusted_urls if u),
                   frozenset(parse_allow(a) if isinstance(a, str) else a for a in allow_hosts))

    def trusting(self, *urls: str) -> "Policy":
        return Policy(self.trusted | {host_port(u) for u in urls if u}, self.allowed)

    def is_trusted(self, host: str, port: int) -> bool:
        key = (host.lower().strip("[]"), port)
        return key in self.trusted or key in self.allowed

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses of ``host`` that may be connected to, in resolver order;
        raises NetworkError naming the host when none may."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise NetworkError(f"{host}:{port}", f"cannot be resolved ({exc})",
                               "Check the address and the connection") from None
        found = list(dict.fromkeys(info[4][0] for info in infos))
        if self.is_trusted(host, port):
            return found
        usable, refused = [], []
        for address in found:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if is_public(ip) or (str(ip), port) in self.allowed:
                usable.append(address)
            else:
                refused.append(f"{address} ({_kind(ip)})")
        if not usable:
            shown = f"[{host}]" if ":" in host else host
            raise NetworkError(
                f"{shown}:{port}", f"resolves to {', '.join(refused)}, not a public address: "
                "refused (a feed or a redirect must not reach into this machine or its "
                "network)", f"If you trust it, pass --allow-host {shown}:{port}")
        return usable
