"""Writes through kazoo (Python) to one follower of a Paddock ensemble while its leader is lost.

Usage: /usr/bin/python3 kazoo_failover.py WRITES HOST:PORT
Creates /kazoo-failover/owner (ephemeral), then WRITES nodes /kazoo-failover/n-NNNN one after the
other, each with its number as data. The test closes the ensemble's leader once some of them are
written. Checks that no call failed (a follower keeps its clients' connections across a leader
change and sends their writes on to the new leader, so the client sees a pause, not a
connection loss), that the session and its ephemeral node survived, that kazoo never saw its
session lost, and that every node holds its data. Prints "ok <check>" per check and exits 1 on
the first failure ("FAIL <check>: why"). Every wait is bounded. Run by
io.paddock.server.clients.KazooClientTest.
"""
import os
import sys
import time

from kazoo.client import KazooClient
from kazoo.protocol.states import KazooState

CONNECT_SECONDS_MAX = 5
# Long enough that no session expires while a leader is elected; the follower closes a
# connection only after a third of it without a leader.
SESSION_TIMEOUT_SECONDS = 30
ROOT = "/kazoo-failover"


def ok(name):
    print("ok " + name, flush=True)


def fail(name, why):
    print("FAIL %s: %s" % (name, why), flush=True)
    os._exit(1)  # a thread blocked in kazoo would keep the interpreter alive


def main():
    writes = int(sys.argv[1])
    states = []
    # No retries: a connection loss must surface as an error, not be hidden by a retry.
    zk = KazooClient(hosts=sys.argv[2], timeout=SESSION_TIMEOUT_SECONDS, connection_retry=None,
                     command_retry=None)
    zk.add_listener(states.append)
    zk.start(timeout=CONNECT_SECONDS_MAX)
    session = zk.client_id[0]
    zk.create(ROOT, b"")
    zk.create(ROOT + "/owner", b"", ephemeral=True)
    print("ready", flush=True)
    started = time.time()
    slowest = 0.0
    for i in range(writes):
        before = time.time()
        try:
            zk.create("%s/n-%04d" % (ROOT, i), str(i).encode())
        except Exception as e:  # noqa: BLE001 - any failure is the finding
            fail("writes across the leader change", "write %d failed after %.0f ms: %r"
                 % (i, (time.time() - before) * 1000, e))
        slowest = max(slowest, time.time() - before)
    ok("writes across the leader change (%d in %.1f s, slowest %.0f ms)"
       % (writes, time.time() - started, slowest * 1000))
    if zk.client_id[0] != session:
        fail("same session", "session 0x%x became 0x%x" % (session, zk.client_id[0]))
    ok("same session")
    if KazooState.LOST in states:
        fail("session never lost", "states seen: %r" % states)
    ok("session never lost (states seen: %r)" % [str(s) for s in states])
    if zk.exists(ROOT + "/owner") is None:
        fail("ephemeral kept", "the session's ephemeral node is gone")
    ok("ephemeral kept")
    children = zk.get_children(ROOT)
    if len(children) != writes + 1:
        fail("every write kept", "%d children, expected %d" % (len(children), writes + 1))
    for i in range(writes):
        data, _ = zk.get("%s/n-%04d" % (ROOT, i))
        if data != str(i).encode():
            fail("every write kept", "n-%04d holds %r" % (i, data))
    ok("every write kept")
    zk.stop()
    zk.close()
    ok("all checks passed")
    os._exit(0)


if __name__ == "__main__":
    main()
