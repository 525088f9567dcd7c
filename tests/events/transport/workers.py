"""Which gunicorn worker serves a given TCP connection (Linux /proc; tests only).

A connection to the server is identified by its two ends; the worker holding the server's
end is the one among the master's children with that socket among its open files.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

PROC = Path("/proc")


def worker_pids(master: int) -> list[int]:
    """The master's child processes (its workers)."""
    pids = []
    for stat in PROC.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return sorted(pids)


def _hex_endpoint(host: str, port: int) -> str:
    """An IPv4 endpoint as /proc/net/tcp writes it: the address's bytes reversed, in hex."""
    return f"{socket.inet_aton(host)[::-1].hex().upper()}:{port:04X}"


def _inode(server_end: tuple[str, int], client_end: tuple[str, int]) -> str | None:
    local, remote = _hex_endpoint(*server_end), _hex_endpoint(*client_end)
    for line in (PROC / "net" / "tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local and fields[2] == remote:
            return fields[9]
    return None


def serving_worker(master: int, sock: socket.socket) -> int | None:
    """The pid of the worker holding the server's end of the client socket `sock`."""
    inode = _inode(sock.getpeername()[:2], sock.getsockname()[:2])
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in worker_pids(master):
        fds = PROC / str(pid) / "fd"
        try:
            names = os.listdir(fds)
        except OSError:
            continue
        for name in names:
            try:
                if os.readlink(fds / name) == target:
                    return pid
            except OSError:
                continue
    return None
