"""A tiny SMTP server for tests, on a socket (aiosmtpd is not installed; smtpd is deprecated).

It can be slow (seconds before it accepts each message), refuse recipients (550), or accept
connections and never answer. A message counts as delivered only once the server has answered
"250" to its data; a client that disconnects before (a worker killed with -9) delivers nothing.
"""

import select
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy


@dataclass
class Delivered:
    mail_from: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self):
        return message_from_bytes(self.raw, policy=policy.default)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])


@dataclass
class SMTPServer:
    delay: float = 0.0  # seconds before accepting each message
    refuse: set[str] = field(default_factory=set)  # recipients answered with a 550
    hang: bool = False  # accept connections, never answer
    delivered: list[Delivered] = field(default_factory=list)
    receiving: int = 0  # messages whose data arrived, accepted or not
    dropped: int = 0  # messages whose client left before they were accepted

    def __post_init__(self):
        self.changed = threading.Condition()
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                server._session(self.request, self.rfile)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._tcp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._tcp.daemon_threads = True
        self.port = self._tcp.server_address[1]

    def __enter__(self):
        threading.Thread(target=self._tcp.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._tcp.shutdown()
        self._tcp.server_close()

    def wait_until(self, condition, seconds: float = 60, message: str = "") -> None:
        """Wait (bounded) until condition(self) holds."""
        deadline = time.monotonic() + seconds
        with self.changed:
            while not condition(self):
                left = deadline - time.monotonic()
                assert left > 0, message or "the SMTP server did not see what was expected"
                self.changed.wait(min(left, 0.5))

    def subjects(self) -> list[str]:
        with self.changed:
            return [item.subject for item in self.delivered]

    # --- The protocol -------------------------------------------------------------------

    def _session(self, sock, rfile) -> None:
        if self.hang:
            while sock.recv(1024):
                pass
            return

        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def reply(line: str) -> None:
            sock.sendall(line.encode() + b"\r\n")

        reply("220 localhost ESMTP test server")
        mail_from, recipients = "", []
        while True:
            line = rfile.readline()
            if not line:
                return
            command = line.decode("ascii", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                reply("250-localhost\r\n250 8BITMIME")  # one write: no Nagle delay
            elif verb == "HELO":
                reply("250 localhost")
            elif verb == "MAIL":
                mail_from, recipients = command.split(":", 1)[1].strip(" <>"), []
                reply("250 OK")
            elif verb == "RCPT":
                address = command.split(":", 1)[1].strip(" <>")
                if address in self.refuse:
                    reply("550 5.1.1 No such user here")
                else:
                    recipients.append(address)
                    reply("250 OK")
            elif verb == "DATA":
                reply("354 End data with <CR><LF>.<CR><LF>")
                raw = self._read_data(rfile)
                if raw is None:
                    return
                if not self._accept(sock, mail_from, recipients, raw):
                    return
                reply("250 OK: queued")
            elif verb == "RSET":
                mail_from, recipients = "", []
                reply("250 OK")
            elif verb == "NOOP":
                reply("250 OK")
            elif verb == "QUIT":
                reply("221 Bye")
                return
            else:
                reply("502 Command not implemented")

    @staticmethod
    def _read_data(rfile) -> bytes | None:
        lines = []
        while True:
            line = rfile.readline()
            if not line:
                return None
            if line == b".\r\n":
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b"..") else line)

    def _accept(self, sock, mail_from, recipients, raw) -> bool:
        """Wait `delay`, then accept the message, unless the client left meanwhile."""
        with self.changed:
            self.receiving += 1
            self.changed.notify_all()
        deadline = time.monotonic() + self.delay
        while True:
            if self._client_left(sock):
                with self.changed:
                    self.dropped += 1
                    self.changed.notify_all()
                return False
            if time.monotonic() >= deadline:
                break
            time.sleep(min(0.05, max(deadline - time.monotonic(), 0)))
        with self.changed:
            self.delivered.append(Delivered(mail_from, list(recipients), raw))
            self.changed.notify_all()
        return True

    @staticmethod
    def _client_left(sock) -> bool:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        try:
            return sock.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True


def use_smtp_server(settings, server: SMTPServer) -> None:
    """Point Django's SMTP backend at the test server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 30
