#!/usr/bin/python3
# Verifies the DKIM signature of a message with dkimpy (Debian's python3-dkim; Ed25519 needs python3-nacl), an
# implementation independent of mailroom's. The public key comes from a file instead of DNS, and only for the
# name the signature should point at (SELECTOR._domainkey.DOMAIN), so a wrong d= or s= fails too.
# Usage: verify.py MESSAGE.eml RECORD_FILE NAME  -> prints "pass" (exit 0) or "fail: ..." (exit 1)
import sys

import dkim

message = open(sys.argv[1], "rb").read()
record = open(sys.argv[2], "rb").read().strip()
expected = sys.argv[3].rstrip(".").lower()


def dns(name, timeout=5):
    asked = (name.decode() if isinstance(name, bytes) else name).rstrip(".").lower()
    return record if asked == expected else None


d = dkim.DKIM(message)
try:
    ok = d.verify(dnsfunc=dns)
except dkim.DKIMException as e:
    print("fail: " + str(e))
    sys.exit(1)
if ok:
    print("pass")
    sys.exit(0)
print("fail: signature does not verify")
sys.exit(1)
