"""Drives kazoo (Python) with SASL DIGEST-MD5 (its sasl_options, through pure-sasl), against host:port.

Usage: /usr/bin/python3 kazoo_sasl_check.py HOST:PORT USER PASSWORD
Connects as USER, creates a node with CREATOR_ALL_ACL (which must name sasl:USER), reads it back;
a client without SASL is refused the node (NoAuth); a client with a wrong password ends in
AUTH_FAILED (its SASL exchange fails, the server closes the connection). Prints "ok <check>" lines and exits 1
on the first failure ("FAIL <check>: why"). Every wait is bounded. Run by
io.paddock.server.clients.KazooSaslTest against Paddock.
"""
import os
import sys
import time
import traceback

from kazoo.client import KazooClient
from kazoo.exceptions import NoAuthError
from kazoo.protocol.states import KeeperState
from kazoo.security import CREATOR_ALL_ACL

CONNECT_SECONDS_MAX = 20
WRONG_PASSWORD_SECONDS_MAX = 10


def ok(name):
    print("ok " + name, flush=True)


def fail(name, why):
    print("FAIL %s: %s" % (name, why), flush=True)
    os._exit(1)  # a kazoo thread still retrying must not keep the interpreter alive


def sasl(user, password):
    return {"mechanism": "DIGEST-MD5", "username": user, "password": password}


def main():
    hosts, user, password = sys.argv[1:4]
    zk = KazooClient(hosts=hosts, sasl_options=sasl(user, password), timeout=10)
    zk.start(timeout=CONNECT_SECONDS_MAX)
    ok("connected with SASL")
    path = "/kazoo-sasl-%d" % os.getpid()
    zk.create(path, b"with sasl", acl=CREATOR_ALL_ACL)
    acls, _ = zk.get_acls(path)
    if len(acls) != 1 or acls[0].id.scheme != "sasl" or acls[0].id.id != user:
        fail("creator is the SASL user", "ACL %r, expected sasl:%s" % (acls, user))
    ok("creator is the SASL user")
    data, _ = zk.get(path)
    if data != b"with sasl":
        fail("read back", repr(data))
    ok("read back")

    anonymous = KazooClient(hosts=hosts, timeout=10)
    anonymous.start(timeout=CONNECT_SECONDS_MAX)
    try:
        anonymous.get(path)
        fail("a client without SASL is refused", "it read the node")
    except NoAuthError:
        ok("a client without SASL is refused")
    anonymous.stop()
    anonymous.close()

    # kazoo says CONNECTED once the session is made, then runs SASL: a failed exchange ends the
    # client in AUTH_FAILED (its session LOST), and it stops connecting.
    wrong = KazooClient(hosts=hosts, sasl_options=sasl(user, password + "-not"), timeout=10)
    try:
        wrong.start(timeout=WRONG_PASSWORD_SECONDS_MAX)
    except Exception:
        pass  # it may fail before start returns
    deadline = time.time() + WRONG_PASSWORD_SECONDS_MAX
    # (kazoo passes AUTH_FAILED and stops connecting, which leaves it CLOSED: stop() was not called)
    ended = (KeeperState.AUTH_FAILED, KeeperState.CLOSED)
    while wrong.client_state not in ended and time.time() < deadline:
        time.sleep(0.05)
    if wrong.client_state not in ended or wrong.connected:
        fail("a wrong password ends in AUTH_FAILED", "state %s" % wrong.client_state)
    ok("a wrong password ends in AUTH_FAILED")
    wrong.stop()
    wrong.close()

    zk.delete(path)
    zk.stop()
    zk.close()
    ok("all checks passed")


if __name__ == "__main__":
    try:
        main()
    except Exception:  # any error the checks did not expect is a failure, with its trace
        fail("unexpected error", traceback.format_exc())
