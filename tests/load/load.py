#!/usr/bin/env python3
"""Load client and checker for tests/load/suite.sh (stdlib only).

  load.py run PORT N THREADS SEED ADDRS LEDGER PROGRESS
      N SMTP sessions of mixed kinds over THREADS threads to the hub on
      127.0.0.1:PORT.  ADDRS holds lines "USER SIGNED-ADDRESS MSGID" (signed
      addresses the hub issued, each bound to MSGID).  Every session's
      outcome is one JSON line in LEDGER; PROGRESS holds the number of
      finished sessions (the suite injects faults by it).
  load.py check LEDGER FAULTS IMAP_PORT REMOTE_MAILDIR USER...
      Reads every delivered message (the hub's users over IMAP, the remote
      site's maildir) and prints PASS/FAIL lines: every accepted message
      delivered exactly once, to the right mailbox, with the right result;
      every refusal with the documented code; 4xx only inside a fault
      window that documents it (FAULTS: lines "NAME START END", epoch s).

The expected results per kind are in EXPECT below: adjust them there when
the documented answer changes."""
import email
import email.policy
import email.utils
import imaplib
import json
import os
import random
import re
import smtplib
import socket
import ssl
import sys
import threading
import time

DOMAIN = "isp.example"
PASSWORD = "secret"
TIMEOUT = 30

# Share of each kind in the mix (weights).
MIX = [
    ("submit_out", 12),      # AUTH user -> bob@remote.example
    ("submit_bounce", 8),    # AUTH user -> nobody@remote.example (bounces)
    ("submit_local", 10),    # AUTH user -> another user of ours
    ("inbound", 20),         # plain inbound mail to a user of ours
    ("bounce_genuine", 12),  # DSN to a signed address, quoting its message
    ("bounce_replay", 6),    # DSN to a signed address, another message
    ("bounce_forged", 8),    # DSN to a tampered signed address
    ("bounce_unsigned", 8),  # DSN to a plain address of ours (strict)
    ("probe_valid", 10),     # callout: MAIL FROM:<> RCPT signed; QUIT/RSET
    ("probe_forged", 6),     # callout for a tampered signed address
]

SIGNED = r"=sg[0-9][a-z2-7]{26}@isp\.example"
# What each kind must get.  smtp: the final answer (DATA, or RCPT for a
# probe) outside fault windows; text: a regex for the refusal's text.
# box: where it is delivered (hub = the user's own mailbox over IMAP,
# hub-to = the To user's, remote = bob at the remote site, None = nowhere).
# verdict/bind: fields of the stored Signet-Provenance; result: regex for
# Signet-Result; kw: exactly these signet keywords (IMAP).
EXPECT = {
    "submit_out": dict(smtp=250, box="remote"),
    # The remote site's Exim sends its bounce over STARTTLS.
    "submit_bounce": dict(
        smtp=250, box="hub", verdict="valid", bind="match",
        result=r"^genuine reply to your message of .* sent as "
               r"{user}@isp\.example",
        kw={"$SignetVerified"}),
    "submit_local": dict(
        smtp=250, box="hub-to", verdict="none", result=r"^arrived at "
        r"isp\.example over TLS", kw=set()),
    "inbound": dict(
        smtp=250, box="hub", verdict="none",
        result=r"^arrived at isp\.example over an unencrypted link",
        kw={"$SignetInsecure"}),
    "bounce_genuine": dict(
        smtp=250, box="hub", verdict="valid", bind="match",
        result=r"^genuine reply to your message of .* sent as "
               r"{user}@isp\.example",
        kw={"$SignetVerified", "$SignetInsecure"}),
    "bounce_replay": dict(
        smtp=250, box="hub", verdict="valid", bind="mismatch",
        result=r"^FORGED: not a reply to your message", subject=r"^\[FORGED\] ",
        kw={"$SignetForged", "$Phishing", "$SignetInsecure"}),
    "bounce_forged": dict(smtp=550, text=r"not issued by our mail system",
                          box=None),
    "bounce_unsigned": dict(smtp=550, text=r"is not signed", box=None),
    "probe_valid": dict(smtp=250, box=None),
    "probe_forged": dict(smtp=550, text=r"not issued by our mail system",
                         box=None),
}
# 4xx answers a fault documents: fault name -> {kind: codes}.  Dovecot
# down: AUTH goes through Dovecot's SASL socket, so submissions get
# Exim's temporary AUTH failure; everything else is accepted and queued.
FAULT_4XX = {
    "dovecot": {"submit_out": {435, 454}, "submit_bounce": {435, 454},
                "submit_local": {435, 454}},
}
RETRIES = 100
SLACK = 3  # seconds after a fault's end for answers already in flight


def kinds_for(n, seed):
    rnd = random.Random(seed)
    names = [k for k, w in MIX for _ in range(w)]
    return [rnd.choice(names) for _ in range(n)]


def tamper(addr):
    local, dom = addr.split("@")
    base, tag = local.rsplit("=sg", 1)
    c = "b" if tag[1] == "a" else "a"
    return "%s=sg%s%s%s@%s" % (base, tag[0], c, tag[2:], dom)


def message(n, kind, frm, to, extra=""):
    return ("From: <%s>\r\nTo: <%s>\r\nSubject: load %d %s\r\n"
            "Date: %s\r\nMessage-ID: <LOADID-%d-%s@load.example>\r\n%s\r\n"
            "LOADID-%d %s\r\n" % (frm, to, n, kind,
                                  email.utils.formatdate(), n, kind, extra,
                                  n, kind))


def dsn(n, kind, to, quoted_msgid):
    return (
        "From: Mail Delivery System <MAILER-DAEMON@remote.example>\r\n"
        "To: %s\r\nSubject: load %d %s\r\nDate: %s\r\n"
        "Message-ID: <LOADID-%d-%s@load.example>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status;\r\n"
        "\tboundary=\"B%d\"\r\n\r\n--B%d\r\nContent-Type: text/plain\r\n\r\n"
        "LOADID-%d could not be delivered.\r\n\r\n--B%d\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; remote.example\r\n\r\n"
        "Final-Recipient: rfc822; r1@remote.example\r\nAction: failed\r\n"
        "Status: 5.1.1\r\n\r\n--B%d\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\nFrom: %s\r\n"
        "To: r1@remote.example\r\nSubject: hello\r\nMessage-ID: <%s>\r\n"
        "\r\n--B%d--\r\n" % (to, n, kind, email.utils.formatdate(), n, kind,
                             n, n, n, n, n, to, quoted_msgid, n))


class Runner:
    def __init__(self, port, n, threads, seed, addrs, ledger, progress):
        self.port, self.n, self.threads = port, n, threads
        self.kinds = kinds_for(n, seed)
        self.rnd = random.Random(seed + 1)
        self.addrs = [l.split() for l in open(addrs) if l.strip()]
        self.users = sorted({a[0] for a in self.addrs})
        self.ledger = open(ledger, "w")
        self.progress = progress
        self.lock = threading.Lock()
        self.next = 0
        self.done = 0
        self.ctx = ssl.create_default_context()
        self.ctx.check_hostname = False
        self.ctx.verify_mode = ssl.CERT_NONE

    def plan(self, n):
        """Sender, recipients and content of session n (deterministic)."""
        kind = self.kinds[n]
        rnd = random.Random(n * 7919 + 17)
        user, signed, msgid = self.addrs[rnd.randrange(len(self.addrs))]
        other = rnd.choice([u for u in self.users if u != user])
        p = dict(n=n, kind=kind, user=user)
        if kind == "submit_out":
            p.update(frm="%s@%s" % (user, DOMAIN), to="bob@remote.example")
        elif kind == "submit_bounce":
            p.update(frm="%s@%s" % (user, DOMAIN),
                     to="nobody@remote.example")
        elif kind == "submit_local":
            p.update(frm="%s@%s" % (user, DOMAIN),
                     to="%s@%s" % (other, DOMAIN), to_user=other)
        elif kind == "inbound":
            p.update(frm="carol%d@remote.example" % n,
                     to="%s@%s" % (user, DOMAIN))
        elif kind == "bounce_genuine":
            p.update(frm="", to=signed, quoted=msgid)
        elif kind == "bounce_replay":
            p.update(frm="", to=signed, quoted="other-%d@spam.example" % n)
        elif kind == "bounce_forged":
            p.update(frm="", to=tamper(signed), quoted=msgid)
        elif kind == "bounce_unsigned":
            p.update(frm="", to="%s@%s" % (user, DOMAIN),
                     quoted="x-%d@spam.example" % n)
        elif kind == "probe_valid":
            p.update(frm="", to=signed, end=rnd.choice(["QUIT", "RSET"]))
        elif kind == "probe_forged":
            p.update(frm="", to=tamper(signed),
                     end=rnd.choice(["QUIT", "RSET"]))
        return p

    def connect(self, res):
        """A connection; a 421 greeting (Exim's smtp_accept_max: the
        remote site's callouts and deliveries share the hub's 20 slots)
        is retried, as an MTA would, at most RETRIES times."""
        res["retries"] = 0
        while True:
            try:
                return smtplib.SMTP("127.0.0.1", self.port, timeout=TIMEOUT,
                                    local_hostname="client.load.example")
            except smtplib.SMTPConnectError as e:
                if e.smtp_code != 421 or res["retries"] >= RETRIES:
                    raise
            res["retries"] += 1
            time.sleep(self.rnd.uniform(0.05, 0.3))

    def session(self, p):
        kind = p["kind"]
        res = dict(p)
        res.update(code=None, stage="connect", text="")
        s = None
        try:
            s = self.connect(res)
            res["stage"] = "ehlo"
            s.ehlo()
            if kind.startswith("submit"):
                res["stage"] = "auth"
                s.starttls(context=self.ctx)
                s.ehlo()
                try:
                    s.login(p["frm"], PASSWORD)
                except smtplib.SMTPAuthenticationError as e:
                    res.update(code=e.smtp_code,
                               text=e.smtp_error.decode("utf-8", "replace"))
                    return res
            res["stage"] = "mail"
            code, text = s.mail(p["frm"])
            if code != 250:
                res.update(code=code, text=text.decode("utf-8", "replace"))
                return res
            res["stage"] = "rcpt"
            code, text = s.rcpt(p["to"])
            res.update(code=code, text=text.decode("utf-8", "replace"))
            if code != 250 or kind.startswith("probe"):
                if kind.startswith("probe") and p.get("end") == "RSET":
                    rc, _ = s.rset()
                    res["rset"] = rc
                return res
            res["stage"] = "data"
            if "quoted" in p:
                body = dsn(p["n"], kind, p["to"], p["quoted"])
            else:
                body = message(p["n"], kind, p["frm"], p["to"])
            try:
                code, text = s.data(body.encode())
            except smtplib.SMTPDataError as e:
                code, text = e.smtp_code, e.smtp_error
            res.update(code=code, text=text.decode("utf-8", "replace"))
            return res
        except (OSError, smtplib.SMTPException) as e:
            res.update(code=None, text="%s: %s" % (type(e).__name__, e))
            return res
        finally:
            res["t"] = time.time()
            if s is not None:
                # Exim holds 221 up to 200 ms: do not wait for it.
                try:
                    s.sock.sendall(b"QUIT\r\n")
                except (OSError, AttributeError):
                    pass
                s.close()

    def worker(self):
        while True:
            with self.lock:
                if self.next >= self.n:
                    return
                n = self.next
                self.next += 1
            p = self.plan(n)
            p["t0"] = time.time()
            res = self.session(p)
            with self.lock:
                self.ledger.write(json.dumps(res) + "\n")
                self.done += 1
                if self.done % 10 == 0 or self.done == self.n:
                    tmp = self.progress + ".tmp"
                    with open(tmp, "w") as f:
                        f.write("%d\n" % self.done)
                    os.rename(tmp, self.progress)

    def run(self):
        t0 = time.monotonic()
        ts = [threading.Thread(target=self.worker)
              for _ in range(self.threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.ledger.close()
        print("sent %d sessions in %.1f s" % (self.n, time.monotonic() - t0))


# ---- check ----

def out(ok, name, why=""):
    if ok:
        print("PASS: load: %s" % name)
    else:
        print("FAIL: load: %s: %s" % (name, why[:600]))


def loadid(raw):
    """The session number a delivered message belongs to: its Message-ID,
    else (a bounce made by the remote site) the first LOADID in it."""
    m = re.search(rb"^Message-ID:\s*<LOADID-(\d+)-", raw, re.M | re.I)
    if m is None:
        m = re.search(rb"LOADID-(\d+)", raw)
    return int(m.group(1)) if m else None


def prov_fields(value):
    f = {}
    for part in re.sub(r"\s+", "", value).split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            f.setdefault(k, v)
    return f


def imap_all(port, user):
    m = imaplib.IMAP4("127.0.0.1", port, timeout=TIMEOUT)
    m.login("%s@%s" % (user, DOMAIN), PASSWORD)
    typ, data = m.select("INBOX", readonly=True)
    n = int(data[0])
    msgs = []
    for lo in range(1, n + 1, 200):
        hi = min(n, lo + 199)
        typ, data = m.fetch("%d:%d" % (lo, hi), "(FLAGS BODY.PEEK[])")
        for item in data:
            if not isinstance(item, tuple):
                continue
            flags = re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1)
            msgs.append((flags.decode().split(), item[1]))
    m.logout()
    return msgs


def in_window(t, faults, name):
    for f, a, b in faults:
        if f == name and a <= t <= b + SLACK:
            return True
    return False


def check(ledger, faults_file, imap_port, remote_dir, users):
    runs = [json.loads(l) for l in open(ledger)]
    faults = []
    for l in open(faults_file):
        f = l.split()
        if len(f) == 3:
            faults.append((f[0], float(f[1]), float(f[2])))
    byn = {r["n"]: r for r in runs}
    counts = {}
    bad_codes = []
    for r in runs:
        e = EXPECT[r["kind"]]
        c = counts.setdefault(r["kind"], {})
        key = "%s" % r["code"]
        c[key] = c.get(key, 0) + 1
        if r.get("rset", 250) != 250:
            bad_codes.append("%d %s: RSET answered %s" % (
                r["n"], r["kind"], r["rset"]))
        if r["code"] == e["smtp"]:
            # One line: continuation lines lose their enhanced code.
            text = re.sub(r"\n(\d\.\d+\.\d+ )?", " ", r["text"])
            if "text" in e and not re.search(e["text"], text):
                bad_codes.append("%d %s: text %r" % (r["n"], r["kind"],
                                                     r["text"]))
            continue
        allowed = [f for f, kinds in FAULT_4XX.items()
                   if r["code"] in kinds.get(r["kind"], ())
                   and in_window(r["t"], faults, f)]
        if not allowed:
            bad_codes.append("%d %s at %s: %s %s" % (
                r["n"], r["kind"], r["stage"], r["code"], r["text"]))
    print("sessions %d; greetings 421 retried: %d" % (
        len(runs), sum(r.get("retries", 0) for r in runs)))
    print("answers per kind (code: sessions):")
    for k, _ in MIX:
        print("  %-16s %s" % (k, " ".join(
            "%s:%d" % kv for kv in sorted(counts.get(k, {}).items()))))
    out(not bad_codes, "every-answer-documented",
        "%d unexpected: %s" % (len(bad_codes), "; ".join(bad_codes[:8])))

    # Where each accepted session must be delivered.
    want = {}
    for r in runs:
        e = EXPECT[r["kind"]]
        if r["code"] != 250 or e["box"] is None:
            continue
        if e["box"] == "remote":
            want[r["n"]] = "remote"
        elif e["box"] == "hub-to":
            want[r["n"]] = "hub:" + r["to_user"]
        else:
            want[r["n"]] = "hub:" + r["user"]
    seen = {}
    problems = []
    stray = []
    for u in users:
        for flags, raw in imap_all(imap_port, u):
            n = loadid(raw)
            if n is None or n not in byn:
                stray.append("hub:%s %r" % (u, raw[:80]))
                continue
            seen.setdefault(n, []).append("hub:" + u)
            problems += result_problems(byn[n], flags, raw)
    for sub in ("new", "cur"):
        d = os.path.join(remote_dir, sub)
        for name in os.listdir(d) if os.path.isdir(d) else []:
            raw = open(os.path.join(d, name), "rb").read()
            n = loadid(raw)
            if n is None or n not in byn:
                stray.append("remote %s" % name)
                continue
            seen.setdefault(n, []).append("remote")
            r = byn[n]
            rp = email.message_from_bytes(raw).get("Return-path", "")
            if not re.fullmatch("<%s%s>" % (re.escape(r["user"]), SIGNED),
                                rp):
                problems.append("%d %s: Return-path %s" % (n, r["kind"], rp))
    missing = [n for n in want if n not in seen]
    dups = [n for n, b in seen.items() if len(b) > 1]
    # LMTP delivers at least once: a Dovecot stopped between saving a
    # message and answering gives 421 after the data, so Exim delivers it
    # again.  Only such a copy, to the same mailbox, is not signet's.
    restarted = set()
    if os.environ.get("HUBLOG"):
        for l in open(os.environ["HUBLOG"], errors="replace"):
            if "LMTP error after end of data: 421" in l:
                restarted.add(l.split()[2])
    lmtp_dups = [n for n in dups
                 if len(set(seen[n])) == 1 and seen[n][0].startswith("hub")
                 and re.search(r"id=(\S+)", byn[n].get("text", ""))
                 and re.search(r"id=(\S+)", byn[n]["text"]).group(1)
                 in restarted]
    if lmtp_dups:
        print("    %d delivered twice: Dovecot saved, then stopped and "
              "answered 421 (LMTP delivers at least once): %s" % (
                  len(lmtp_dups), " ".join("%d/%s" % (n, byn[n]["kind"])
                                           for n in lmtp_dups)))
    dups = [n for n in dups if n not in lmtp_dups]
    wrong = [n for n, b in seen.items()
             if n in want and b and b[0] != want[n]]
    unwanted = [n for n in seen if n not in want]
    print("accepted for delivery %d, delivered %d (hub %d, remote %d)" % (
        len(want), len(seen),
        sum(1 for b in seen.values() if b[0].startswith("hub")),
        sum(1 for b in seen.values() if b[0] == "remote")))
    out(not missing, "every-accepted-delivered",
        "%d missing: %s" % (len(missing), " ".join(
            "%d/%s" % (n, byn[n]["kind"]) for n in sorted(missing)[:20])))
    out(not dups, "delivered-exactly-once",
        "%d twice or more: %s" % (len(dups), " ".join(
            "%d/%s:%s" % (n, byn[n]["kind"], ",".join(seen[n]))
            for n in sorted(dups)[:20])))
    out(not wrong, "delivered-to-the-right-mailbox",
        " ".join("%d/%s:%s want %s" % (n, byn[n]["kind"], seen[n][0],
                                        want[n]) for n in wrong[:20]))
    out(not unwanted and not stray, "nothing-refused-was-delivered",
        "refused or unknown but delivered: %s %s" % (
            " ".join("%d/%s" % (n, byn[n]["kind"]) for n in unwanted[:20]),
            " ".join(stray[:5])))
    out(not problems, "every-delivery-has-the-right-result",
        "%d wrong: %s" % (len(problems), "; ".join(problems[:8])))
    return 0


def result_problems(r, flags, raw):
    e = EXPECT[r["kind"]]
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    p = []
    res = (msg.get("Signet-Result") or "").replace("\n", " ")
    res = re.sub(r"\s+", " ", res)
    prov = prov_fields(msg.get("Signet-Provenance") or "")
    tag = "%d %s" % (r["n"], r["kind"])
    if "verdict" in e and prov.get("verdict") != e["verdict"]:
        p.append("%s: verdict=%s" % (tag, prov.get("verdict")))
    if "bind" in e and prov.get("bind") != e["bind"]:
        p.append("%s: bind=%s" % (tag, prov.get("bind")))
    if "result" in e and not re.search(e["result"].format(user=r["user"]),
                                       res):
        p.append("%s: Signet-Result %r" % (tag, res))
    if "subject" in e and not re.search(e["subject"],
                                        msg.get("Subject", "")):
        p.append("%s: Subject %r" % (tag, msg.get("Subject")))
    if len(msg.get_all("Signet-Result") or []) != 1:
        p.append("%s: %d Signet-Result lines" % (
            tag, len(msg.get_all("Signet-Result") or [])))
    kw = {f for f in flags if f.startswith("$")}
    if "kw" in e and kw != e["kw"]:
        p.append("%s: keywords %s" % (tag, " ".join(sorted(kw))))
    return p


def main():
    if sys.argv[1] == "run":
        a = sys.argv[2:]
        Runner(int(a[0]), int(a[1]), int(a[2]), int(a[3]), a[4], a[5],
               a[6]).run()
    elif sys.argv[1] == "check":
        a = sys.argv[2:]
        sys.exit(check(a[0], a[1], int(a[2]), a[3], a[4:]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    socket.setdefaulttimeout(TIMEOUT)
    main()
