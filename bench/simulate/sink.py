"""The final destination behind the primary: an SMTP server that accepts everything and records,
for each message, when it arrived, from which client, and its Message-ID and X-Sim-Sent headers.
Its records (sink.jsonl) are what the report counts as delivered."""
import json
import socketserver
import threading
import time


class _Handler(socketserver.StreamRequestHandler):
    timeout = 60

    def _reply(self, text):
        self.wfile.write((text + "\r\n").encode("ascii"))
        self.wfile.flush()

    def handle(self):
        sink = self.server.sink
        self._reply("220 sink.protected.test ESMTP recorder")
        sender, rcpts = None, []
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            cmd = line.decode("latin-1").rstrip("\r\n")
            verb = cmd[:4].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250-sink.protected.test\r\n250-PIPELINING\r\n250 8BITMIME" if verb == "EHLO"
                            else "250 sink.protected.test")
            elif verb == "MAIL":
                sender, rcpts = cmd[10:].strip(), []
                self._reply("250 2.1.0 Ok")
            elif verb == "RCPT":
                rcpts.append(cmd[8:].strip())
                self._reply("250 2.1.5 Ok")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                headers, in_headers = {}, True
                while True:
                    body = self.rfile.readline(65536)
                    if not body or body == b".\r\n":
                        break
                    if in_headers:
                        text = body.decode("latin-1").rstrip("\r\n")
                        if text == "":
                            in_headers = False
                        elif ":" in text and not text[0].isspace():
                            k, v = text.split(":", 1)
                            headers.setdefault(k.strip().lower(), v.strip())
                if not body:
                    return
                sink.record({"arrived": time.time(), "client": self.client_address[0],
                             "message_id": headers.get("message-id", "").strip("<>"), "sent": headers.get("x-sim-sent"),
                             "sender": sender, "rcpts": rcpts})
                self._reply("250 2.0.0 Ok: recorded")
            elif verb == "RSET":
                sender, rcpts = None, []
                self._reply("250 2.0.0 Ok")
            elif verb == "QUIT":
                self._reply("221 2.0.0 Bye")
                return
            else:
                self._reply("250 2.0.0 Ok")


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Sink:
    def __init__(self, address, path):
        self._lock = threading.Lock()
        self._file = open(path, "a", encoding="utf-8")
        self.records = []
        self._server = _Server(address, _Handler)
        self._server.sink = self
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, name="sink", daemon=True).start()

    def record(self, rec):
        with self._lock:
            self.records.append(rec)
            self._file.write(json.dumps(rec) + "\n")
            self._file.flush()

    def message_ids(self):
        with self._lock:
            return [r["message_id"] for r in self.records]

    def close(self):
        self._server.shutdown()
        self._server.server_close()
        self._file.close()
