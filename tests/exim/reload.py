#!/usr/bin/env python3
"""Two messages on one SMTP connection (one Exim process), with the keyring
moved away in between: the module must notice and send the second one
unsigned.  Usage: reload.py HOST PORT KEYRING"""
import os
import smtplib
import ssl
import sys

host, port, keyring = sys.argv[1], int(sys.argv[2]), sys.argv[3]
msg = ("From: alice@example.com\r\nTo: r9@remote.example\r\n"
       "Subject: reload %d\r\nMessage-ID: <reload-%d-%d@example.com>\r\n"
       "\r\nbody\r\n")
s = smtplib.SMTP(host, port, timeout=20)
s.starttls(context=ssl._create_unverified_context())
s.login("alice", "pw-alice")
s.sendmail("alice@example.com", ["r9@remote.example"], msg % (1, 1, os.getpid()))
os.rename(keyring, keyring + ".away")
s.sendmail("alice@example.com", ["r9@remote.example"], msg % (2, 2, os.getpid()))
s.quit()
os.rename(keyring + ".away", keyring)
print("sent 2")
