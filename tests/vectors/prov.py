#!/usr/bin/env python3
"""Independent implementation of the Signet-Provenance header's sums
(docs/FORMATS.md): the msg= binding of a message, the rcpt= tag and the
seal.  Writes tests/vectors/prov.json, which build/tests/test-prov checks
against the core; run by hand: python3 tests/vectors/prov.py"""
import hashlib
import hmac
import json
import os
import re

KEY = bytes.fromhex(
    "a3f1c2e4b5d60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90")
KEY_ID = 4


def message_binding(mid):
    s = mid.strip(" \t\r\n")
    if len(s) >= 2 and s[0] == "<" and s[-1] == ">":
        s = s[1:-1]
    return hashlib.sha256(s.encode()).hexdigest()[:8]


def canon(v):
    """Runs of SP, HT, CR, LF as one SP, none at the ends, first 1024
    octets."""
    words = [w for w in re.split(r"[ \t\r\n]+", v or "") if w]
    return " ".join(words).encode()[:1024]


def header_binding(date, frm, subject):
    text = b"signet-hdr-v1\n" + b"".join(
        canon(v) + b"\n" for v in (date, frm, subject))
    return "h" + hashlib.sha256(text).hexdigest()[:8]


def rcpt_tag(rcpt):
    return hmac.new(KEY, b"signet-rcpt-v1\0" + rcpt.lower().encode(),
                    hashlib.sha256).hexdigest()[:20]


def encode(v):
    return "".join(chr(c) if 0x20 < c < 0x7f and chr(c) not in ";%"
                   else "%%%02X" % c for c in v.encode())


def seal(fields, rcpt, t):
    """The header value, unfolded: fields, then rcpt, t, k and seal."""
    fields = fields + [["rcpt", rcpt_tag(rcpt)], ["t", str(t)],
                       ["k", str(KEY_ID)]]
    text = ";".join("%s=%s" % (k, encode(v)) for k, v in fields)
    mac = hmac.new(KEY, b"signet-provenance-v1\0" + text.encode(),
                   hashlib.sha256).hexdigest()
    return "; ".join("%s=%s" % (k, encode(v)) for k, v in fields) + \
        "; seal=" + mac


MSGIDS = ["<20261122.1234@isp.example>", " <spaced@id> ", "no-brackets@x",
          "<>"]
HEADERS = [
    ["Sun, 22 Nov 2026 07:00:00 +0000",
     "Mail Delivery System <MAILER-DAEMON@mx.example.org>",
     "Undelivered Mail Returned to Sender"],
    # the same fields folded and spaced otherwise: the same binding
    [" Sun, 22 Nov 2026\r\n\t07:00:00 +0000 ",
     "Mail  Delivery\tSystem <MAILER-DAEMON@mx.example.org>",
     "Undelivered Mail\r\n Returned to Sender\r\n"],
    [None, None, None],
    [None, "x@example.net", "Gr\u00fc\u00dfe =?UTF-8?Q?aus_K=C3=B6ln?="],
    # long fields count up to 1024 octets of their canonical form
    ["d", "f", "s" * 1023 + "  tail"],
    ["d", "f", "s" * 1023 + " other tail"],
]
RCPTS = ["alice@isp.example", "Alice@ISP.Example", "bob+lists@isp.example"]
SEALS = [
    ("alice@isp.example", 1795334400,
     [["v", "1"], ["msg", message_binding(MSGIDS[0])], ["verdict", "valid"],
      ["owner", "alice@isp.example"], ["bounce", "yes"], ["bind", "match"],
      ["from", ""], ["tls", "TLS1.3"], ["pfs", "yes"],
      ["peer", "203.0.113.5"], ["helo", "mx.example.org"]]),
    ("Bob@isp.example", 2000000000,
     [["v", "1"], ["msg", header_binding(*HEADERS[0])],
      ["verdict", "none"], ["from", "carl@example.org"],
      ["helo", "evil; verdict=valid %0A\r\nX: y"], ["tls", "none"]]),
]

# header values as Exim, the DSN reader and Dovecot see them (folded with
# CRLF or LF, tabs, leading and trailing space): one unfolding for all
UNFOLDS = [
    "<a@b>",
    " <a@b> ",
    "<20261122.1234@isp.example>\r\n",
    "Undelivered Mail\r\n Returned to\tSender",
    "Undelivered Mail\n\tReturned  to   Sender\n",
    "\t\r\n \t",
    "x\r\n\r\n y",
    "",
]

# typed records (struct signet_record's members) and the fields they are
# written as (docs/FORMATS.md): the order, what is left out, the words
RECORDS = [
    # a genuine bounce to a closed-format address, over TLS 1.3
    {"msg": "29d27808", "addr": "alice+s1abcdefgh@isp.example",
     "verdict": "valid", "reason": "ok", "owner": "alice@isp.example",
     "format": "signet", "issued": 1795334400, "key_id": 3, "bounce": 1,
     "bind": "match", "orig_msgid": "<20261122.1234@isp.example>",
     "from": None, "tls": "TLS1.3", "cipher": "TLS_AES_256_GCM_SHA384",
     "pfs": 1, "auth": None, "peer": "203.0.113.5", "hub_report": 0,
     "helo": "mx.example.org", "host": "hub.isp.example"},
    # ordinary mail submitted on the hub: no TLS, peer local
    {"msg": "h6c75989a", "verdict": "none", "from": "carl@example.org",
     "bounce": 0, "tls": None, "pfs": 0, "auth": "carl", "local": 1,
     "host": "hub.isp.example"},
    # the hub's own delivery report to an unsigned address; a prvs
    # address has no issue time and binds no message
    {"rcpt_id": "0123456789abcdef0123456789abcdef", "msg": "29d27808",
     "verdict": "unsigned-bounce", "bounce": 1, "bind": "none",
     "orig_msgid": "<ignored@x>", "hub_report": 1, "tls": None, "pfs": 0,
     "local": 1},
    {"msg": "29d27808", "addr": "prvs=1234abcdef=bob@isp.example",
     "verdict": "expired", "reason": "expired", "owner": "bob@isp.example",
     "format": "prvs", "issued": 1795334400, "key_id": 1, "bounce": 1,
     "bind": "unknown", "tls": "TLS1.2", "pfs": 0, "peer": "192.0.2.7"},
    # nothing known of the client: no peer field at all
    {"verdict": "fading", "tls": "TLS1.2", "pfs": 1},
]


def rfc3339(t):
    import datetime
    return datetime.datetime.fromtimestamp(
        t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_fields(r):
    g = r.get
    signed = g("addr") is not None
    bind = g("bind") if g("bounce") else None
    f = [["for", g("rcpt_id")], ["v", "1"], ["msg", g("msg")],
         ["addr", g("addr")], ["verdict", g("verdict")],
         ["reason", g("reason") if signed else None],
         ["owner", g("owner") if signed else None],
         ["format", g("format") if signed else None],
         ["issued", rfc3339(g("issued")) if signed and g("issued") and
          g("format") == "signet" else None],
         ["key", str(g("key_id")) if signed and
          g("key_id") is not None else None],
         ["bounce", "yes" if g("bounce") else None],
         ["bind", bind],
         ["orig-msgid", g("orig_msgid") if bind not in (None, "none")
          else None],
         ["from", "" if g("bounce") else g("from")],
         ["tls", g("tls") or "none"], ["cipher", g("cipher")],
         ["pfs", "yes" if g("pfs") else "no"], ["auth", g("auth")],
         ["peer", "local" if g("local") else g("peer")],
         ["origin", "hub" if g("bounce") and g("hub_report") else None],
         ["helo", g("helo")], ["host", g("host")]]
    return [[k, v] for k, v in f if v is not None]


out = {
    "key": {"hex": KEY.hex(), "id": KEY_ID},
    "unfold": [{"value": v, "unfolded": canon(v).decode()} for v in UNFOLDS],
    "msg": [{"message_id": m, "msg": message_binding(m)} for m in MSGIDS] +
           [{"message_id": None, "date": d, "from": f, "subject": s,
             "msg": header_binding(d, f, s)} for d, f, s in HEADERS],
    "rcpt": [{"rcpt": r, "tag": rcpt_tag(r)} for r in RCPTS],
    "seal": [{"rcpt": r, "t": t, "fields": f, "header": seal(f, r, t)}
             for r, t, f in SEALS],
    "record": [{"record": r, "fields": record_fields(r)} for r in RECORDS],
}
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "prov.json"), "w") as fh:
    json.dump(out, fh, indent=1, ensure_ascii=True)
    fh.write("\n")
