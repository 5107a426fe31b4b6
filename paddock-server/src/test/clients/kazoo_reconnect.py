"""Cuts kazoo's (Python) connection again and again while it has writes in flight.

Usage: /usr/bin/python3 kazoo_reconnect.py OPS SEED HOST:PORT[,HOST:PORT...]
kazoo talks to the servers through a proxy in this program. Every 20-120 ms the proxy cuts the
client's side of its current connection while requests are in flight (kazoo sees it dropped and
reconnects, through the proxy, to one of the servers chosen by SEED), and it keeps the server's
side open a little longer, holding back and then still delivering the bytes the client had sent
on it: the server may see the older connection's requests after the newer connection's. kazoo
starts its xids at 1 again on every connection, so the two connections' requests share xids.

OPS requests go in batches of 16 pipelined calls: setData of /kazoo-reconnect/c (its data is the
call's number), creates of /kazoo-reconnect/n-NNNNNN (exact names) and of sequential
/kazoo-reconnect/s- nodes, deletes of a node that never exists, and reads of /kazoo-reconnect/c.
kazoo fails the calls in flight on a cut connection with ConnectionLoss (they may or may not have
taken effect); every other answer must be that call's own and in the session's order:
* a create answers with its own path (a sequential one with its prefix and ten digits);
* a setData answers with a Stat of its own data length and a version above that of every earlier
  setData that succeeded;
* a delete of the missing node fails with NoNode;
* a read returns data and version no older than the last setData that succeeded before it;
* at the end /kazoo-reconnect/c holds the last successful setData's data or a later one's that
  was cut, every successful create's node holds its data, no node was made that no call asked for,
  the session is the same and kazoo never saw it lost.
Prints "ok <check>" per check and exits 1 on the first failure ("FAIL <check>: why"). Every wait
and loop is bounded. Run by io.paddock.server.clients.KazooClientTest.
"""
import collections
import os
import random
import socket
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import ConnectionLoss, NoNodeError, SessionExpiredError
from kazoo.protocol.states import KazooState
from kazoo.retry import KazooRetry

ROOT = "/kazoo-reconnect"
CONNECT_SECONDS_MAX = 10
CALL_SECONDS_MAX = 15
RUN_SECONDS_MAX = 60
# Long enough that no session expires across the cuts.
SESSION_TIMEOUT_SECONDS = 30
BATCH = 16
CUT_EVERY_MS = (20, 120)
# How long the server's side of a cut connection stays open, holding the client's bytes back.
HOLD_MS_MAX = 150
# Each connection delays the client's bytes to the server by up to this much.
DELAY_MS_MAX = 10
# Calls kazoo refuses while it reconnects (it fails them at once, unsent) are not counted as cut.
NOT_SENT = (SessionExpiredError,)
CUT = (ConnectionLoss,)


def ok(name):
    print("ok " + name, flush=True)


def fail(name, why):
    print("FAIL %s: %s" % (name, why), flush=True)
    os._exit(1)  # a thread blocked in kazoo or in the proxy would keep the interpreter alive


class Link(object):
    """One client connection through the proxy, to one server."""

    def __init__(self, client_sock, upstream, rng, on_server_close):
        self.client = client_sock
        self.on_server_close = on_server_close
        self.server = socket.create_connection(upstream, timeout=CONNECT_SECONDS_MAX)
        self.server.settimeout(None)
        self.delay = rng.uniform(0, DELAY_MS_MAX) / 1000.0
        self.hold = rng.uniform(0, HOLD_MS_MAX) / 1000.0
        self.to_server = collections.deque()
        self.cond = threading.Condition()
        self.cut_at = None
        self.client_done = False
        for target in (self._read_client, self._send_server, self._read_server):
            threading.Thread(target=target, daemon=True).start()

    def _read_client(self):
        try:
            while True:
                data = self.client.recv(65536)
                if not data:
                    break
                with self.cond:
                    self.to_server.append((time.time() + self.delay, data))
                    self.cond.notify_all()
        except OSError:
            pass
        with self.cond:
            self.client_done = True
            if self.cut_at is None:
                self.cut_at = time.time()
            self.cond.notify_all()

    def _send_server(self):
        deadline = time.time() + RUN_SECONDS_MAX
        try:
            while time.time() < deadline:
                with self.cond:
                    if not self.to_server and self.client_done:
                        break
                    if not self.to_server:
                        self.cond.wait(0.05)
                        continue
                    ready, data = self.to_server[0]
                    if self.cut_at is not None:
                        ready = max(ready, self.cut_at + self.hold)
                    wait = ready - time.time()
                    if wait > 0:
                        self.cond.wait(wait)
                        continue
                    self.to_server.popleft()
                self.server.sendall(data)
            time.sleep(0.05)  # the server's answers to the last bytes, read and dropped
        except OSError:
            pass
        close(self.server)

    def _read_server(self):
        try:
            while True:
                data = self.server.recv(65536)
                if not data:
                    break
                with self.cond:
                    gone = self.cut_at is not None
                if not gone:
                    self.client.sendall(data)
        except OSError:
            pass
        with self.cond:
            closed_by_server = self.cut_at is None
        if closed_by_server:
            self.on_server_close()
        close(self.client)

    def cut(self):
        with self.cond:
            if self.cut_at is None:
                self.cut_at = time.time()
            self.cond.notify_all()
        close(self.client)


def close(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class Proxy(object):
    def __init__(self, upstreams, rng):
        self.upstreams = upstreams
        self.rng = rng
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.lock = threading.Lock()
        self.current = None
        self.links = 0
        self.server_closes = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def address(self):
        return "127.0.0.1:%d" % self.listener.getsockname()[1]

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                upstream = self.rng.choice(self.upstreams)
            try:
                link = Link(client, upstream, self.rng, self._server_closed)
            except OSError:
                close(client)
                continue
            with self.lock:
                self.current = link
                self.links += 1

    def _server_closed(self):
        with self.lock:
            self.server_closes += 1

    def cut(self):
        with self.lock:
            link, self.current = self.current, None
        if link is not None:
            link.cut()
            return True
        return False


class Outcome(object):
    """What the run saw: answered calls, cut ones, and the checks' state."""

    def __init__(self):
        self.answered = 0
        self.cut = 0
        self.not_sent = 0
        self.last_set = -1          # the number of the last setData that succeeded
        self.last_set_version = -1
        self.cut_sets = set()       # setData calls cut: they may have taken effect
        self.created = {}           # path -> data of creates that succeeded
        self.cut_creates = set()
        self.sequential = 0
        self.cut_sequential = 0


def call(zk, i):
    """Sends call number i; returns (kind, argument, async result)."""
    kind = i % 8
    if kind in (0, 2, 4, 6):
        data = str(i).encode()
        return "set", data, zk.set_async(ROOT + "/c", data)
    if kind == 1:
        path = "%s/n-%06d" % (ROOT, i)
        return "create", path, zk.create_async(path, str(i).encode())
    if kind == 3:
        return "delete", None, zk.delete_async(ROOT + "/never")
    if kind == 5:
        return "get", None, zk.get_async(ROOT + "/c")
    return "sequential", None, zk.create_async(ROOT + "/s-", b"", sequence=True)


def judge(out, i, kind, arg, result):
    try:
        value = result.get(timeout=CALL_SECONDS_MAX)
    except CUT:
        out.cut += 1
        if kind == "set":
            out.cut_sets.add(i)
        elif kind == "create":
            out.cut_creates.add(arg)
        elif kind == "sequential":
            out.cut_sequential += 1
        return
    except NOT_SENT:
        out.not_sent += 1
        return
    except NoNodeError:
        if kind != "delete":
            fail("answers", "call %d (%s %r) failed with NoNode" % (i, kind, arg))
        out.answered += 1
        return
    except Exception as e:  # noqa: BLE001 - any other failure is the finding
        fail("answers", "call %d (%s %r) failed: %r" % (i, kind, arg, e))
    out.answered += 1
    if kind == "set":
        if value.dataLength != len(arg):
            fail("answers", "setData %d answered with a Stat of %d bytes, not %d: %r"
                 % (i, value.dataLength, len(arg), value))
        if value.version <= out.last_set_version:
            fail("session order", "setData %d got version %d, setData %d before it got %d"
                 % (i, value.version, out.last_set, out.last_set_version))
        out.last_set, out.last_set_version = i, value.version
    elif kind == "create":
        if value != arg:
            fail("answers", "create %s answered with %r" % (arg, value))
        out.created[arg] = str(i).encode()
    elif kind == "delete":
        fail("answers", "delete of a node that never exists answered OK (%r)" % (value,))
    elif kind == "get":
        data, stat = value
        if stat.version < out.last_set_version or int(data) < out.last_set:
            fail("session order", "read %d returned setData %s (version %d) after setData %d (version %d) succeeded"
                 % (i, data, stat.version, out.last_set, out.last_set_version))
    else:
        if not (value.startswith(ROOT + "/s-") and len(value) == len(ROOT + "/s-") + 10):
            fail("answers", "sequential create answered with %r" % (value,))
        out.sequential += 1


def settled(zk, call):
    """call() once the client is connected again; a cut that came just before the cutter stopped
    may only now be noticed, so a ConnectionLoss is tried again (bounded)."""
    deadline = time.time() + CONNECT_SECONDS_MAX
    while True:
        while not zk.connected and time.time() < deadline:
            time.sleep(0.01)
        try:
            return call()
        except ConnectionLoss:
            if time.time() >= deadline:
                raise
            time.sleep(0.05)


def cutter(proxy, rng, stop, counts):
    deadline = time.time() + RUN_SECONDS_MAX
    while not stop.is_set() and time.time() < deadline:
        stop.wait(rng.uniform(*CUT_EVERY_MS) / 1000.0)
        if not stop.is_set() and proxy.cut():
            counts[0] += 1


def main():
    ops, seed, hosts = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    upstreams = [(h.rsplit(":", 1)[0], int(h.rsplit(":", 1)[1])) for h in hosts.split(",")]
    rng = random.Random(seed)
    proxy = Proxy(upstreams, random.Random(seed + 1))
    states = []
    retry = KazooRetry(max_tries=-1, delay=0.01, backoff=1.5, max_delay=0.1)
    zk = KazooClient(hosts=proxy.address(), timeout=SESSION_TIMEOUT_SECONDS, connection_retry=retry,
                     command_retry=None, randomize_hosts=False)
    zk.add_listener(states.append)
    zk.start(timeout=CONNECT_SECONDS_MAX)
    session = zk.client_id[0]
    zk.create(ROOT, b"")
    zk.create(ROOT + "/c", b"-1")
    ok("ready (session 0x%x, %d servers behind the proxy)" % (session, len(upstreams)))

    stop = threading.Event()
    cuts = [0]
    cutting = threading.Thread(target=cutter, args=(proxy, rng, stop, cuts), daemon=True)
    cutting.start()
    out = Outcome()
    started = time.time()
    i = 0
    while i < ops:
        if time.time() - started > RUN_SECONDS_MAX:
            fail("bounded run", "%d of %d calls in %d s" % (i, ops, RUN_SECONDS_MAX))
        waited = time.time()
        while not zk.connected and time.time() - waited < CONNECT_SECONDS_MAX:
            time.sleep(0.002)
        if not zk.connected:
            fail("reconnects", "not connected again within %d s" % CONNECT_SECONDS_MAX)
        batch = [(n,) + call(zk, n) for n in range(i, min(ops, i + BATCH))]
        for n, kind, arg, result in batch:
            judge(out, n, kind, arg, result)
        i += len(batch)
    stop.set()
    cutting.join(CONNECT_SECONDS_MAX)  # no cut after this; one just before is met by settled()
    ok("answers and session order (%d calls: %d answered, %d cut, %d refused while reconnecting;"
       " %d cuts, %d connections, %d closed by a server, %.1f s)"
       % (ops, out.answered, out.cut, out.not_sent, cuts[0], proxy.links, proxy.server_closes,
          time.time() - started))
    if cuts[0] < 10 or out.cut == 0:
        fail("cuts with calls in flight", "%d cuts, %d calls cut: the run missed its point" % (cuts[0], out.cut))
    ok("cuts with calls in flight")

    data, stat = settled(zk, lambda: zk.get(ROOT + "/c"))
    final = int(data)
    if final != out.last_set and not (final > out.last_set and final in out.cut_sets):
        fail("last write wins", "/c holds setData %d; the last that succeeded was %d" % (final, out.last_set))
    ok("last write wins (/c holds setData %d, version %d)" % (final, stat.version))
    children = set(settled(zk, lambda: zk.get_children(ROOT)))
    made = {ROOT + "/" + c for c in children if c.startswith("n-")}
    for path, expected in out.created.items():
        if path not in made:
            fail("creates kept", "%s answered OK and is gone" % path)
        held = settled(zk, lambda: zk.get(path))[0]
        if held != expected:
            fail("creates kept", "%s holds %r" % (path, held))
    strays = made - set(out.created) - out.cut_creates
    if strays:
        fail("creates kept", "nodes no call made: %r" % sorted(strays)[:5])
    sequential = len([c for c in children if c.startswith("s-")])
    if not out.sequential <= sequential <= out.sequential + out.cut_sequential:
        fail("creates kept", "%d sequential nodes; %d answered, %d cut" % (sequential, out.sequential,
                                                                          out.cut_sequential))
    ok("creates kept (%d exact, %d sequential)" % (len(made), sequential))
    if zk.client_id[0] != session:
        fail("same session", "session 0x%x became 0x%x" % (session, zk.client_id[0]))
    if KazooState.LOST in states:
        fail("same session", "kazoo saw the session lost")
    ok("same session, never lost")
    zk.stop()
    zk.close()
    ok("all checks passed")
    os._exit(0)


if __name__ == "__main__":
    main()
