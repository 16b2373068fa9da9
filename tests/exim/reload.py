#!/usr/bin/env python3
"""Three messages on one SMTP connection (one Exim process, which loaded
the keyring for the first): the keyring is then replaced by a rotated one
(NEXT, whose newest address key has id 1), then removed.  The module must
notice each change: signed with key 0, with key 1, then unsigned.
Usage: reload.py HOST PORT KEYRING NEXT"""
import os
import smtplib
import ssl
import sys

host, port, keyring, nxt = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
msg = ("From: alice@example.com\r\nTo: r9@remote.example\r\n"
       "Subject: reload %d\r\nMessage-ID: <reload-%d-%d@example.com>\r\n"
       "\r\nbody\r\n")
saved = keyring + ".saved"
s = smtplib.SMTP(host, port, timeout=20)
s.starttls(context=ssl._create_unverified_context())
s.login("alice", "pw-alice")
s.sendmail("alice@example.com", ["r9@remote.example"], msg % (1, 1, os.getpid()))
os.rename(keyring, saved)
os.rename(nxt, keyring)
s.sendmail("alice@example.com", ["r9@remote.example"], msg % (2, 2, os.getpid()))
os.rename(keyring, keyring + ".away")
s.sendmail("alice@example.com", ["r9@remote.example"], msg % (3, 3, os.getpid()))
s.quit()
os.rename(saved, keyring)
os.unlink(keyring + ".away")
print("sent 3")
