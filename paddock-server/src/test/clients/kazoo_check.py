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
from kazoo.exceptions import (AuthFailedError, BadVersionError, InvalidACLError, MarshallingError,
                              NoAuthError, NoNodeError, RolledBackError, RuntimeInconsistency)
from kazoo.protocol.states import EventType
from kazoo.security import (CREATOR_ALL_ACL, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, Permissions,
                            make_acl, make_digest_acl, make_digest_acl_credential)

CONNECT_SECONDS_MAX = 5
EVENT_SECONDS_MAX = 5
SESSION_TIMEOUT_SECONDS = 2
# Idle longer than the session timeout: only the client's pings, timed from the negotiated
# timeout, keep the session alive.
IDLE_SECONDS = 3
ROOT = "/kazoo-check"
USER = "alice"
PASSWORD = "alice-pw"


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


def check_acl_helpers(zk, other, alice):
    """Every ACL helper kazoo ships. kazoo writes an empty string as a null one, so
    CREATOR_ALL_ACL goes out as the auth scheme with a null id."""
    alice_id = make_digest_acl_credential(USER, PASSWORD)
    c = ROOT + "/creator-all"
    check("create with CREATOR_ALL_ACL when authenticated",
          alice.create(c, b"mine", acl=CREATOR_ALL_ACL) == c)
    acls, _ = alice.get_acls(c)
    check("CREATOR_ALL_ACL becomes the session's digest id",
          [(a.perms, a.id.scheme, a.id.id) for a in acls] == [(Permissions.ALL, "digest", alice_id)],
          "got %r" % (acls,))
    check("the creator reads its node", alice.get(c)[0] == b"mine")
    expect_error("another session may not read it -> NoAuth", NoAuthError, lambda: other.get(c))
    expect_error("CREATOR_ALL_ACL without authentication -> InvalidACL", InvalidACLError,
                 lambda: zk.create(ROOT + "/creator-anonymous", b"", acl=CREATOR_ALL_ACL))
    check("nothing created by the refused create", zk.exists(ROOT + "/creator-anonymous") is None)
    alice.set_acls(c, CREATOR_ALL_ACL)
    check("set_acls with CREATOR_ALL_ACL", [a.id.id for a in alice.get_acls(c)[0]] == [alice_id])
    t = alice.transaction()
    t.create(ROOT + "/creator-tx", b"", acl=CREATOR_ALL_ACL)
    check("CREATOR_ALL_ACL in a transaction", t.commit() == [ROOT + "/creator-tx"])
    alice.delete(ROOT + "/creator-tx")
    alice.delete(c)

    d = ROOT + "/digest"
    zk.create(d, b"secret", acl=[make_digest_acl(USER, PASSWORD, all=True)])
    check("make_digest_acl: its user reads", alice.get(d)[0] == b"secret")
    expect_error("make_digest_acl: another session -> NoAuth", NoAuthError, lambda: other.get(d))
    alice.set_acls(d, [make_digest_acl(USER, PASSWORD, read=True, admin=True),
                       make_digest_acl("bob", "bob-pw", all=True)])
    acls, _ = alice.get_acls(d)
    check("make_digest_acl with chosen permissions",
          [(a.perms, a.id.id) for a in acls] == [(Permissions.READ | Permissions.ADMIN, alice_id),
                                                 (Permissions.ALL, make_digest_acl_credential("bob", "bob-pw"))],
          "got %r" % (acls,))
    expect_error("make_digest_acl read-only: write -> NoAuth", NoAuthError, lambda: alice.set(d, b"x"))
    zk.delete(d)

    r = ROOT + "/read-only"
    zk.create(r, b"r", acl=READ_ACL_UNSAFE)
    check("READ_ACL_UNSAFE: anyone reads", other.get(r)[0] == b"r")
    expect_error("READ_ACL_UNSAFE: set -> NoAuth", NoAuthError, lambda: zk.set(r, b"x"))
    check("READ_ACL_UNSAFE stored as world:anyone read", list(zk.get_acls(r)[0]) == list(READ_ACL_UNSAFE))
    zk.delete(r)

    o = ROOT + "/open"
    zk.create(o, b"o", acl=OPEN_ACL_UNSAFE)
    other.set(o, b"by-other")
    check("OPEN_ACL_UNSAFE: anyone writes", zk.get(o)[0] == b"by-other")
    zk.delete(o)


def check_empty_values(zk, other):
    """Empty data, and empty strings wherever kazoo lets a caller send one."""
    e = ROOT + "/empty"
    check("create with empty data", zk.create(e, b"") == e)
    data, stat = other.get(e)
    check("empty data reads back empty", data == b"" and stat.dataLength == 0, "got %r %r" % (data, stat))
    zk.set(e, b"x")
    zk.set(e, b"")
    data, stat = zk.get(e)
    check("set empty data", data == b"" and stat.dataLength == 0 and stat.version == 2, "got %r %r" % (data, stat))
    t = zk.transaction()
    t.set_data(e, b"")
    t.create(ROOT + "/empty-tx", b"")
    check("empty data in a transaction", len(t.commit()) == 2 and zk.get(ROOT + "/empty-tx")[0] == b"")
    zk.delete(ROOT + "/empty-tx")
    zk.delete(e)


def check_empty_acl_ids(zk):
    """make_acl with an empty id sends a null one: ZooKeeper fails world, digest and ip on it
    (MARSHALLINGERROR) and refuses an unknown scheme (InvalidACL); the session goes on."""
    for scheme in ("world", "digest", "ip"):
        expect_error("make_acl(%r, '') -> MarshallingError" % scheme, MarshallingError,
                     lambda: zk.create(ROOT + "/empty-id", b"", acl=[make_acl(scheme, "", all=True)]))
    expect_error("make_acl('sasl', '') -> InvalidACL", InvalidACLError,
                 lambda: zk.create(ROOT + "/empty-id", b"", acl=[make_acl("sasl", "", all=True)]))
    check("nothing created by the refused creates", zk.exists(ROOT + "/empty-id") is None)


def check_empty_credentials(hosts):
    """add_auth with an empty credential goes out as a null string: AuthFailed, as in ZooKeeper."""
    client = connect(hosts, "connect session for empty credentials")
    try:
        client.add_auth_async("digest", "").get(timeout=EVENT_SECONDS_MAX)
        fail("add_auth with empty credential -> AuthFailed", "it was accepted")
    except AuthFailedError:
        ok("add_auth with empty credential -> AuthFailed")
    except client.handler.timeout_exception:
        fail("add_auth with empty credential -> AuthFailed", "no answer within %ss" % EVENT_SECONDS_MAX)
    client.stop()
    client.close()


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
    alice = connect(hosts, "connect authenticated session")
    alice.add_auth("digest", "%s:%s" % (USER, PASSWORD))
    check_acl_helpers(zk, other, alice)
    alice.stop()
    alice.close()
    check_empty_values(zk, other)
    check_empty_acl_ids(zk)
    check_empty_credentials(hosts)
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
