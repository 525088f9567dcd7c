"""A TCP forwarder between a live server and PostgreSQL, to stage an outage without touching
the shared cluster: `cut()` drops every open connection and refuses new ones (the port is
closed), `restore()` listens again on the same port."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

from tests.compat.server import free_port

HOST = "127.0.0.1"


class DatabaseProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.listener: socket.socket | None = None

    def start(self) -> DatabaseProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets.update((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source)
            self._close(sink)

    def _close(self, sock: socket.socket) -> None:
        with self.lock:
            self.sockets.discard(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def open_sockets(self) -> set[socket.socket]:
        with self.lock:
            return set(self.sockets)

    def wait_closed(self, sockets: set[socket.socket], timeout: float = 10.0) -> None:
        """Until every one of `sockets` has been closed by its pump (the far end hung up and
        the close was relayed), so the server's side of it sees end-of-file."""
        deadline = time.monotonic() + timeout
        while self.open_sockets() & sockets:
            assert time.monotonic() < deadline, "the proxy did not relay the close in time"
            time.sleep(0.01)

    def cut(self) -> None:
        """The database goes away: open connections drop, new ones are refused."""
        listener, self.listener = self.listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self.lock:
            open_sockets = list(self.sockets)
        for sock in open_sockets:
            self._close(sock)

    def restore(self) -> None:
        if self.listener is None:
            self.start()

    def stop(self) -> None:
        self.cut()
