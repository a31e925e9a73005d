"""Block outbound network connections for the whole test run; loopback stays open.

Installed by ``tests/conftest.py`` (``pytest_configure``), so every test and
doctest collected with it runs offline: a test that tries to reach another
machine fails loudly with :class:`NetworkBlocked` instead of depending on
the network. Loopback (127.0.0.0/8, ::1, ``localhost``) and Unix sockets
stay open because Jupyter kernels talk to the test process over 127.0.0.1.

Patched: ``socket.socket.connect``, ``connect_ex`` and ``sendto`` (a UDP
datagram to another machine) and ``socket.getaddrinfo`` (a DNS lookup of any
name but this machine's own is itself outbound traffic). Child processes
(kernels, the browser) are not covered by this patch; the browser tests
abort every request that is not a ``file:`` URL.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

__all__ = ["NetworkBlocked", "install", "installed", "is_local", "uninstall"]


class NetworkBlocked(RuntimeError):
    """A test tried to open a connection to another machine."""


_ORIGINAL: dict[str, Any] = {}
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def _local_name(host: str) -> bool:
    host = host.strip().lower().rstrip(".")
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        return host in {socket.gethostname().lower(), ""}
    except OSError:  # pragma: no cover
        return False


def is_local(address: Any) -> bool:
    """True for a Unix-socket path or an (host, port, ...) tuple on this machine.

    Examples
    --------
    >>> is_local(("127.0.0.1", 8888)), is_local(("::1", 1, 0, 0)), is_local("/tmp/kernel.sock")
    (True, True, True)
    >>> is_local(("192.0.2.1", 80)), is_local(("example.org", 443))
    (False, False)
    """
    if isinstance(address, str | bytes | bytearray):  # AF_UNIX path (or abstract namespace)
        return True
    if not isinstance(address, tuple) or not address:
        return False
    host = address[0]
    if isinstance(host, bytes | bytearray):
        host = host.decode("ascii", "replace")
    host = str(host).split("%", 1)[0]  # IPv6 scope id
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return _local_name(host)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified


def _refuse(what: str, address: Any) -> None:
    raise NetworkBlocked(f"tests run offline: {what} {address!r} refused "
                         "(only loopback and Unix sockets are allowed; see tests/netguard.py)")


def _connect(self: socket.socket, address: Any) -> Any:
    if not is_local(address):
        _refuse("connection to", address)
    return _ORIGINAL["connect"](self, address)


def _connect_ex(self: socket.socket, address: Any) -> Any:
    if not is_local(address):
        _refuse("connection to", address)
    return _ORIGINAL["connect_ex"](self, address)


def _sendto(self: socket.socket, data: Any, *args: Any) -> Any:
    address = args[-1] if args else None
    if address is not None and not is_local(address):
        _refuse("datagram to", address)
    return _ORIGINAL["sendto"](self, data, *args)


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host is not None:
        name = host.decode("ascii", "replace") if isinstance(host, bytes | bytearray) else str(host)
        try:
            ipaddress.ip_address(name.split("%", 1)[0])
        except ValueError:
            if not _local_name(name):
                _refuse("name lookup of", name)
    return _ORIGINAL["getaddrinfo"](host, *args, **kwargs)


def install() -> None:
    """Patch the socket module (idempotent)."""
    if _ORIGINAL:
        return
    _ORIGINAL.update(connect=socket.socket.connect, connect_ex=socket.socket.connect_ex,
                     sendto=socket.socket.sendto, getaddrinfo=socket.getaddrinfo)
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = _sendto  # type: ignore[method-assign]
    socket.getaddrinfo = _getaddrinfo


def uninstall() -> None:
    """Restore the socket module."""
    if not _ORIGINAL:
        return
    socket.socket.connect = _ORIGINAL["connect"]  # type: ignore[method-assign]
    socket.socket.connect_ex = _ORIGINAL["connect_ex"]  # type: ignore[method-assign]
    socket.socket.sendto = _ORIGINAL["sendto"]  # type: ignore[method-assign]
    socket.getaddrinfo = _ORIGINAL["getaddrinfo"]
    _ORIGINAL.clear()


def installed() -> bool:
    """Whether the guard is active."""
    return bool(_ORIGINAL)
