"""Drives kazoo (Python) over TLS with a client certificate, against host:port.

Usage: /usr/bin/python3 kazoo_tls_check.py CA_PEM CERT_PEM KEY_PEM SUBJECT HOST:PORT
kazoo's own TLS (use_ssl, ca, certfile, keyfile, verify_certs): connect, create a node with
CREATOR_ALL_ACL (which must name the certificate as x509:SUBJECT), read it back, delete it.
Prints "ok <check>" lines and exits 1 on the first failure ("FAIL <check>: why"). Every wait is
bounded. Run by io.paddock.server.clients.KazooTlsTest against Paddock.
"""
import os
import sys
import traceback

from kazoo.client import KazooClient
from kazoo.security import CREATOR_ALL_ACL

CONNECT_SECONDS_MAX = 20


def ok(name):
    print("ok " + name, flush=True)


def fail(name, why):
    print("FAIL %s: %s" % (name, why), flush=True)
    os._exit(1)  # a kazoo thread still retrying must not keep the interpreter alive


def main():
    ca, certfile, keyfile, subject, hosts = sys.argv[1:6]
    zk = KazooClient(hosts=hosts, use_ssl=True, verify_certs=True, ca=ca, certfile=certfile, keyfile=keyfile,
                     timeout=10)
    zk.start(timeout=CONNECT_SECONDS_MAX)
    ok("connected over TLS")
    path = "/kazoo-tls-%d" % os.getpid()
    zk.create(path, b"over tls", acl=CREATOR_ALL_ACL)
    acls, _ = zk.get_acls(path)
    if len(acls) != 1 or acls[0].id.scheme != "x509" or acls[0].id.id != subject:
        fail("creator is the certificate", "ACL %r, expected x509:%s" % (acls, subject))
    ok("creator is the certificate")
    data, _ = zk.get(path)
    if data != b"over tls":
        fail("read back", repr(data))
    ok("read back")
    zk.delete(path)
    zk.stop()
    zk.close()
    ok("all checks passed")


if __name__ == "__main__":
    try:
        main()
    except Exception:  # any error the checks did not expect is a failure, with its trace
        fail("unexpected error", traceback.format_exc())
