"""Loaded by every Python process started with this folder on PYTHONPATH (tests only):
refuse and record every connection that is not to this machine (loopback or a Unix socket),
before any packet leaves. NETGUARD_LOG names the record file; NETGUARD_ACTIVE a file that each
guarded process appends its pid to, so a test can tell the guard was really loaded."""

import ipaddress
import os
import socket
import traceback

_LOG = os.environ.get("NETGUARD_LOG")
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_sendto = socket.socket.sendto
_real_getaddrinfo = socket.getaddrinfo
_real_create_connection = socket.create_connection


def _local(host) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").lower()
    if host in ("localhost", "localhost.localdomain", "") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _record(kind, target):
    if _LOG:
        stack = "".join(traceback.format_stack(limit=12)[:-2])
        with open(_LOG, "a", encoding="utf-8") as f:
            f.write(f"BLOCKED {kind} {target!r} pid={os.getpid()}\n{stack}\n")
    raise ConnectionRefusedError(f"netguard: outbound {kind} to {target!r} refused")


def _check_address(sock, address, kind):
    inet = sock.family in (socket.AF_INET, socket.AF_INET6)
    if inet and isinstance(address, tuple) and not _local(address[0]):
        _record(kind, address)


def connect(self, address):
    _check_address(self, address, "connect")
    return _real_connect(self, address)


def connect_ex(self, address):
    _check_address(self, address, "connect")
    return _real_connect_ex(self, address)


def sendto(self, data, *args):
    address = args[-1]
    _check_address(self, address, "sendto")
    return _real_sendto(self, data, *args)


def getaddrinfo(host, *args, **kwargs):
    if not _local(host):
        _record("getaddrinfo", host)
    return _real_getaddrinfo(host, *args, **kwargs)


def create_connection(address, *args, **kwargs):
    if not _local(address[0]):
        _record("create_connection", address)
    return _real_create_connection(address, *args, **kwargs)


if os.environ.get("NETGUARD_ACTIVE"):
    with open(os.environ["NETGUARD_ACTIVE"], "a", encoding="utf-8") as _f:
        _f.write(f"{os.getpid()}\n")

socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.socket.sendto = sendto
socket.getaddrinfo = getaddrinfo
socket.create_connection = create_connection
