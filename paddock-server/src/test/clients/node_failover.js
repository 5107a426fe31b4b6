// Writes through node-zookeeper-client 1.1.3 to one follower of a Paddock ensemble while its
// leader is lost.
//
// Usage: NODE_PATH=<dir>/node_modules node node_failover.js WRITES HOST:PORT
// Creates /node-failover/owner (ephemeral), then WRITES nodes /node-failover/n-NNNN one after the
// other, each with its number as data; the test closes the ensemble's leader once some of them
// are written. Checks that no call failed (the follower keeps the connection across the leader
// change and sends the write in flight on to the new leader), that the client never saw its
// connection drop, that the session and its ephemeral node survived, and that every node holds
// its data. Prints "ok <check>" per check and exits 1 on the first failure ("FAIL <check>: why").
// Every wait is bounded. Run by io.paddock.server.clients.NodeClientTest.
'use strict';

const zookeeper = require('node-zookeeper-client');

const WAIT_MS_MAX = 10000;
// Long enough that no session expires while a leader is elected; the follower closes a
// connection only after a third of it without a leader.
const SESSION_TIMEOUT_MS = 30000;
const ROOT = '/node-failover';

function ok(name) {
    console.log('ok ' + name);
}

function fail(name, why) {
    console.log('FAIL ' + name + ': ' + why);
    process.exit(1);
}

/** Calls client[method](...args, callback); resolves with the callback's results, bounded. */
function call(client, method, ...args) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out after ' + WAIT_MS_MAX + ' ms: ' + method
            + ' ' + args[0])), WAIT_MS_MAX);
        client[method](...args, (error, ...results) => {
            clearTimeout(timer);
            if (error) {
                reject(error);
            } else {
                resolve(results);
            }
        });
    });
}

async function main() {
    const writes = parseInt(process.argv[2], 10);
    const zk = zookeeper.createClient(process.argv[3], { sessionTimeout: SESSION_TIMEOUT_MS, retries: 0 });
    const states = [];
    zk.on('state', (state) => states.push(String(state)));
    await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no connection within ' + WAIT_MS_MAX + ' ms')), WAIT_MS_MAX);
        zk.once('connected', () => { clearTimeout(timer); resolve(); });
        zk.connect();
    });
    const session = zk.getSessionId().toString('hex');
    await call(zk, 'create', ROOT, Buffer.alloc(0));
    await call(zk, 'create', ROOT + '/owner', Buffer.alloc(0), zookeeper.CreateMode.EPHEMERAL);
    const started = Date.now();
    let slowest = 0;
    for (let i = 0; i < writes; i++) {
        const before = Date.now();
        try {
            await call(zk, 'create', ROOT + '/n-' + String(i).padStart(4, '0'), Buffer.from(String(i)));
        } catch (e) {
            fail('writes across the leader change', 'write ' + i + ' failed after ' + (Date.now() - before)
                + ' ms: ' + e);
        }
        slowest = Math.max(slowest, Date.now() - before);
    }
    ok('writes across the leader change (' + writes + ' in ' + (Date.now() - started) + ' ms, slowest '
        + slowest + ' ms)');
    if (zk.getSessionId().toString('hex') !== session) {
        fail('same session', 'session ' + session + ' became ' + zk.getSessionId().toString('hex'));
    }
    ok('same session');
    if (states.some((s) => !s.startsWith('SYNC_CONNECTED'))) {
        fail('connection kept', 'states seen: ' + states.join(', '));
    }
    ok('connection kept (states seen: ' + states.join(', ') + ')');
    const [ownerStat] = await call(zk, 'exists', ROOT + '/owner');
    if (!ownerStat) {
        fail('ephemeral kept', 'the session\'s ephemeral node is gone');
    }
    ok('ephemeral kept');
    const [children] = await call(zk, 'getChildren', ROOT);
    if (children.length !== writes + 1) {
        fail('every write kept', children.length + ' children, expected ' + (writes + 1));
    }
    for (let i = 0; i < writes; i++) {
        const [data] = await call(zk, 'getData', ROOT + '/n-' + String(i).padStart(4, '0'));
        if (data.toString() !== String(i)) {
            fail('every write kept', 'n-' + i + ' holds ' + data.toString());
        }
    }
    ok('every write kept');
    zk.close();
    ok('all checks passed');
    process.exit(0);
}

main().catch((e) => fail('failover', String(e && e.stack ? e.stack : e)));
