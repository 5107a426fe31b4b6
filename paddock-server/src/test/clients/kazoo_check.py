"""Drives kazoo (Python) through the ZooKeeper operations applications use, against host:port.

Usage: /usr/bin/python3 kazoo_check.py HOST:PORT
Prints one line per check ("ok <check>") and exits 1 on the first failure ("FAIL <check>: why").
Every wait is bounded. Run by io.paddock.server.clients.KazooClientTest against Paddock and
against Apache ZooKeeper.
"""
import os
import re
import sys
import threading
import time
import traceback

from kazoo.client import KazooClient
from kazoo.exceptions import (BadVersionError, NoNodeError, RolledBackError,
                              RuntimeInconsistency)
from kazoo.protocol.states import EventType
from kazoo.security import OPEN_ACL_UNSAFE

CONNECT_SECONDS_MAX = 5
EVENT_SECONDS_MAX = 5
SESSION_TIMEOUT_SECONDS = 2
# Idle longer than the session timeout: only the client's pings, timed from the negotiated
# timeout, keep the session alive.
IDLE_SECONDS = 3
ROOT = "/kazoo-check"


def ok(name):
    print("ok " + name, flush=True)


def fail(name, why):
    print("FAIL %s: %s" % (name, why), flush=True)
    # Not sys.exit: a thread still blocked in a kazoo call (which retries for ever when the
    # server is gone) would keep the interpreter alive.
    os._exit(1)


def check(name, condition, why=""):
    if not condition:
        fail(name, why)
    ok(name)


def expect_error(name, error_type, action):
    try:
        result = action()
    except error_type:
        ok(name)
        return
    fail(name, "expected %s, got result %r" % (error_type.__name__, result))


def connect(hosts, name):
    client = KazooClient(hosts=hosts, timeout=SESSION_TIMEOUT_SECONDS)
    try:
        client.start(timeout=CONNECT_SECONDS_MAX)
    except client.handler.timeout_exception:
        fail(name, "not connected within %ss" % CONNECT_SECONDS_MAX)
    check(name, client.connected, "not connected")
    return client


def check_data(zk):
    p = ROOT + "/p"
    check("create persistent", zk.create(p, b"hello") == p)
    data, stat = zk.get(p)
    check("get data back", data == b"hello" and stat.version == 0, "got %r %r" % (data, stat))
    stat = zk.set(p, b"v1", version=0)
    check("set data with right version", stat.version == 1, "stat %r" % (stat,))
    expect_error("set data with wrong version -> BadVersion", BadVersionError,
                 lambda: zk.set(p, b"v-bad", version=0))
    data, _ = zk.get(p)
    check("data unchanged after BadVersion", data == b"v1", "got %r" % (data,))


def check_ephemerals(zk):
    e = ROOT + "/e"
    check("create ephemeral", zk.create(e, b"", ephemeral=True) == e)
    seq = zk.create(ROOT + "/s-", b"", ephemeral=True, sequence=True)
    check("ephemeral sequential has 10-digit suffix",
          re.fullmatch(ROOT + r"/s-\d{10}", seq) is not None, "got %r" % (seq,))
    _, stat = zk.get(e)
    check("ephemeral owner is the session", stat.ephemeralOwner == zk.client_id[0],
          "owner %x, session %x" % (stat.ephemeralOwner, zk.client_id[0]))
    children = sorted(zk.get_children(ROOT))
    check("list children", children == ["e", "p", seq[len(ROOT) + 1:]], "got %r" % (children,))
    return [e, seq]


def check_idle(zk, other, ephemeral, states):
    session_id = zk.client_id[0]
    time.sleep(IDLE_SECONDS)
    check("session survives %ss idle (timeout %ss)" % (IDLE_SECONDS, SESSION_TIMEOUT_SECONDS),
          not states and zk.connected and zk.client_id[0] == session_id
          and other.exists(ephemeral) is not None, "state changes %r" % (states,))


def wait_for_event(name, events, expected_type, path):
    got = events.wait(EVENT_SECONDS_MAX)
    check(name, got and events.event.type == expected_type and events.event.path == path,
          "within %ss got %r" % (EVENT_SECONDS_MAX, events.event))


class OneEvent(object):
    """Remembers the first watch event and lets the main thread wait for it, bounded."""

    def __init__(self):
        self.event = None
        self._arrived = threading.Event()

    def __call__(self, event):
        if self.event is None:
            self.event = event
        self._arrived.set()

    def wait(self, seconds):
        return self._arrived.wait(seconds)


def check_watches(zk, other):
    p = ROOT + "/p"
    changed = OneEvent()
    zk.get(p, watch=changed)
    other.set(p, b"from-other")
    wait_for_event("data watch fires on set from second session", changed, EventType.CHANGED, p)
    w = ROOT + "/w"
    created = OneEvent()
    check("exists watch on absent node", zk.exists(w, watch=created) is None)
    other.create(w, b"")
    wait_for_event("exists watch fires on create", created, EventType.CREATED, w)
    children = OneEvent()
    zk.get_children(ROOT, watch=children)
    other.delete(w)
    wait_for_event("child watch fires on delete", children, EventType.CHILD, ROOT)


def check_transactions(zk):
    p = ROOT + "/p"
    version = zk.get(p)[1].version
    t = zk.transaction()
    t.create(ROOT + "/t1", b"a")
    t.check(p, version)
    t.set_data(p, b"in-tx", version=version)
    t.delete(ROOT + "/t1")
    results = t.commit()
    check("transaction commits", len(results) == 4 and results[0] == ROOT + "/t1"
          and results[1] is True and results[2].version == version + 1 and results[3] is True,
          "results %r" % (results,))
    t = zk.transaction()
    t.create(ROOT + "/t2", b"b")
    t.delete(ROOT + "/missing")
    t.create(ROOT + "/t3", b"c")
    results = t.commit()
    types = [type(r) for r in results]
    check("failing transaction reports RolledBack, NoNode, RuntimeInconsistency",
          types == [RolledBackError, NoNodeError, RuntimeInconsistency], "results %r" % (results,))
    check("failing transaction changed nothing",
          zk.exists(ROOT + "/t2") is None and zk.exists(ROOT + "/t3") is None)


def check_helpers(zk):
    zk.ensure_path(ROOT + "/deep/a/b")
    check("ensure_path creates missing parents", zk.exists(ROOT + "/deep/a/b") is not None)
    acls, _ = zk.get_acls(ROOT + "/deep")
    check("get_acls is world:anyone with all permissions", list(acls) == list(OPEN_ACL_UNSAFE),
          "got %r" % (acls,))
    zk.sync(ROOT)
    ok("sync")
    zk.delete(ROOT + "/deep", recursive=True)
    check("recursive delete", zk.exists(ROOT + "/deep") is None)


def check_lock(zk, other):
    first = zk.Lock(ROOT + "/lock", "first")
    second = other.Lock(ROOT + "/lock", "second")
    check("lock acquired", first.acquire(timeout=EVENT_SECONDS_MAX))
    check("lock held by the first contender", not second.acquire(blocking=False))
    waiter = threading.Thread(target=second.acquire, kwargs={"timeout": EVENT_SECONDS_MAX}, daemon=True)
    waiter.start()
    check("contenders listed in order", second.contenders() == ["first"] or
          second.contenders() == ["first", "second"], "got %r" % (second.contenders(),))
    first.release()
    waiter.join(EVENT_SECONDS_MAX + 1)
    check("waiting contender gets the lock on release", second.is_acquired)
    second.release()
    zk.delete(ROOT + "/lock", recursive=True)


def check_delete(zk):
    p = ROOT + "/p"
    expect_error("delete with wrong version -> BadVersion", BadVersionError,
                 lambda: zk.delete(p, version=99))
    zk.delete(p, version=zk.get(p)[1].version)
    check("delete", zk.exists(p) is None)
    expect_error("delete absent -> NoNode", NoNodeError, lambda: zk.delete(p))


def check_close(zk, other, ephemerals):
    zk.stop()
    zk.close()
    ok("close session")
    other.sync(ROOT)
    left = [path for path in ephemerals if other.exists(path) is not None]
    check("ephemerals gone after close", not left, "still there: %r" % (left,))
    check("parent lists no children", other.get_children(ROOT) == [],
          "got %r" % (other.get_children(ROOT),))


def main():
    if len(sys.argv) != 2:
        fail("usage", "kazoo_check.py HOST:PORT")
    hosts = sys.argv[1]
    zk = connect(hosts, "connect")
    states = []
    zk.add_listener(states.append)
    other = connect(hosts, "connect second session")
    zk.create(ROOT, b"")
    check_data(zk)
    ephemerals = check_ephemerals(zk)
    check_idle(zk, other, ephemerals[0], states)
    check_watches(zk, other)
    check_transactions(zk)
    check_helpers(zk)
    check_lock(zk, other)
    check_delete(zk)
    check_close(zk, other, ephemerals)
    other.delete(ROOT)
    other.stop()
    other.close()
    ok("all checks passed")


if __name__ == "__main__":
    try:
        main()
    except Exception:  # any error the checks did not expect is a failure, with its trace
        fail("unexpected error", traceback.format_exc())
