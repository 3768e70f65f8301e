"""Private Postfix instances on loopback addresses: the primary MX and the legitimate sending MTAs.
Same layout as bench/lib/postfix-instance.sh (one queue directory per instance, Debian's daemons)."""
import os
import re
import socket
import subprocess
import time

_DAEMONS = """\
pickup    unix n - n 60 1 pickup
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
"""


class Postfix:
    """One instance: `listen` is (address, port) of its smtpd; `settings` are extra main.cf lines."""

    def __init__(self, directory, name, listen, settings):
        self.dir, self.name, self.listen = directory, name, listen
        self.maillog = os.path.join(directory, "maillog")
        os.makedirs(os.path.join(directory, "etc"), exist_ok=True)
        os.makedirs(os.path.join(directory, "queue"), exist_ok=True)
        os.makedirs(os.path.join(directory, "data"), exist_ok=True)
        subprocess.run(["chown", "postfix", os.path.join(directory, "data")], check=True)
        with open(os.path.join(directory, "etc", "master.cf"), "w") as f:
            f.write("%s:%d inet n - n - - smtpd\n" % listen + _DAEMONS)
        base = {
            "compatibility_level": "3.6",
            "queue_directory": os.path.join(directory, "queue"),
            "data_directory": os.path.join(directory, "data"),
            "command_directory": "/usr/sbin",
            "daemon_directory": "/usr/lib/postfix/sbin",
            "meta_directory": "/etc/postfix",
            "shlib_directory": "/usr/lib/postfix",
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "mydestination": "",
            # Only the address in master.cf is bound; inet_interfaces must name real interfaces.
            "inet_interfaces": "all",
            "inet_protocols": "ipv4",
            "smtp_bind_address": listen[0],
            # The system resolver knows nothing of the simulation's names: no look-ups that would only time out.
            "smtpd_peername_lookup": "no",
            "smtp_dns_support_level": "disabled",
            "maillog_file": self.maillog,
            "maillog_file_prefixes": directory,
            "alias_maps": "",
            "alias_database": "",
            "local_recipient_maps": "",
            "biff": "no",
            "smtputf8_enable": "no",
            "default_process_limit": "50",
            "smtpd_client_connection_count_limit": "0",
            "smtpd_client_connection_rate_limit": "0",
        }
        base.update(settings)
        with open(os.path.join(directory, "etc", "main.cf"), "w") as f:
            for k, v in base.items():
                f.write("%s = %s\n" % (k, v))

    def _postfix(self, *args):
        return subprocess.run(["postfix", "-c", os.path.join(self.dir, "etc")] + list(args),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def start(self, timeout=30):
        r = self._postfix("start")
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                socket.create_connection(self.listen, timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        tail = open(self.maillog).read()[-2000:] if os.path.exists(self.maillog) else ""
        raise RuntimeError("Postfix %s did not start on %s:%d: %s %s" % (self.name, *self.listen, r.stderr, tail))

    def stop(self):
        self._postfix("stop")
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(self.listen, timeout=1).close()
                time.sleep(0.1)
            except OSError:
                return
        self._postfix("abort")

    def set(self, **settings):
        """Changes main.cf settings and reloads the running instance."""
        subprocess.run(["postconf", "-c", os.path.join(self.dir, "etc"), "-e"]
                       + ["%s=%s" % (k, v) for k, v in settings.items()], check=True)
        self._postfix("reload")

    def queued(self):
        n = 0
        for sub in ("maildrop", "incoming", "active", "deferred", "hold"):
            for _, _, files in os.walk(os.path.join(self.dir, "queue", sub)):
                n += len(files)
        return n

    def log_lines(self):
        if not os.path.exists(self.maillog):
            return []
        with open(self.maillog, encoding="utf-8", errors="replace") as f:
            return f.readlines()

    def bounced(self):
        """Messages this instance bounced (status=bounced), from its own log."""
        return [l for l in self.log_lines() if re.search(r"status=bounced", l)]
