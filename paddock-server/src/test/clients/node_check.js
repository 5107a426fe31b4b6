// Drives node-zookeeper-client 1.1.3 through the ZooKeeper operations applications use.
//
// Usage: NODE_PATH=<dir>/node_modules node node_check.js HOST:PORT
// Prints one line per check ("ok <check>") and exits 1 on the first failure ("FAIL <check>: why").
// Every wait is bounded. Run by io.paddock.server.clients.NodeClientTest against Paddock and
// against Apache ZooKeeper. This client sends the old ConnectRequest (no readOnly byte).
'use strict';

const crypto = require('crypto');
const zookeeper = require('node-zookeeper-client');

const WAIT_MS_MAX = 5000;
const SESSION_TIMEOUT_MS = 2000;
// Idle longer than the session timeout: only the client's pings, timed from the negotiated
// timeout, keep the session alive.
const IDLE_MS = 3000;
const ROOT = '/node-check';
const USER = 'alice';
const PASSWORD = 'alice-pw';
const Code = zookeeper.Exception;
const EventType = zookeeper.Event;

function ok(name) {
    console.log('ok ' + name);
}

function fail(name, why) {
    console.log('FAIL ' + name + ': ' + why);
    process.exit(1);
}

function check(name, condition, why) {
    if (!condition) {
        fail(name, why || 'check failed');
    }
    ok(name);
}

/** Resolves with the first value of `start(resolve, reject)` or rejects after WAIT_MS_MAX. */
function bounded(what, start) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out after ' + WAIT_MS_MAX + ' ms: ' + what)),
            WAIT_MS_MAX);
        start((value) => { clearTimeout(timer); resolve(value); },
            (error) => { clearTimeout(timer); reject(error); });
    });
}

/** Calls client[method](...args, callback); resolves with the callback's results after the error. */
function call(client, method, ...args) {
    return bounded(method + ' ' + args[0], (resolve, reject) => {
        client[method](...args, (error, ...results) => (error ? reject(error) : resolve(results)));
    });
}

/** Like call, but expects a ZooKeeper error with `code`. */
async function expectError(name, code, client, method, ...args) {
    try {
        const results = await call(client, method, ...args);
        fail(name, 'expected error ' + code + ', got ' + JSON.stringify(results));
    } catch (error) {
        check(name, error instanceof Code && error.getCode() === code, 'got ' + error);
    }
}

function connect(hosts, name) {
    const client = zookeeper.createClient(hosts, { sessionTimeout: SESSION_TIMEOUT_MS, retries: 0 });
    return bounded('connect', (resolve) => {
        client.once('connected', () => resolve(client));
        client.connect();
    }).then((c) => { ok(name); return c; });
}

function commit(transaction) {
    return bounded('multi', (resolve) => transaction.commit((error, results) => resolve({ error, results })));
}

async function checkData(zk) {
    const p = ROOT + '/p';
    const [created] = await call(zk, 'create', p, Buffer.from('hello'));
    check('create persistent', created === p, 'got ' + created);
    const [data, stat] = await call(zk, 'getData', p);
    check('get data back', data.toString() === 'hello' && stat.version === 0, 'got ' + data + ' ' + stat.version);
    const [setStat] = await call(zk, 'setData', p, Buffer.from('v1'), 0);
    check('set data with right version', setStat.version === 1, 'version ' + setStat.version);
    await expectError('set data with wrong version -> BadVersion', Code.BAD_VERSION,
        zk, 'setData', p, Buffer.from('v-bad'), 0);
    const [after] = await call(zk, 'getData', p);
    check('data unchanged after BadVersion', after.toString() === 'v1', 'got ' + after);
}

async function checkEphemerals(zk) {
    const e = ROOT + '/e';
    const [created] = await call(zk, 'create', e, Buffer.alloc(0), zookeeper.CreateMode.EPHEMERAL);
    check('create ephemeral', created === e, 'got ' + created);
    const [seq] = await call(zk, 'create', ROOT + '/s-', Buffer.alloc(0),
        zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL);
    check('ephemeral sequential has 10-digit suffix', /^\/node-check\/s-\d{10}$/.test(seq), 'got ' + seq);
    const [, stat] = await call(zk, 'getData', e);
    check('ephemeral owner is the session', stat.ephemeralOwner.equals(zk.getSessionId()),
        'owner ' + stat.ephemeralOwner.toString('hex') + ', session ' + zk.getSessionId().toString('hex'));
    const [children] = await call(zk, 'getChildren', ROOT);
    const expected = ['e', 'p', seq.substring(ROOT.length + 1)];
    check('list children', JSON.stringify(children.sort()) === JSON.stringify(expected),
        'got ' + JSON.stringify(children));
    return [e, seq];
}

async function checkIdle(zk, other, ephemeral, states) {
    check('negotiated session timeout is the requested one', zk.getSessionTimeout() === SESSION_TIMEOUT_MS,
        'got ' + zk.getSessionTimeout());
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const [stat] = await call(other, 'exists', ephemeral);
    check('session survives ' + IDLE_MS + ' ms idle (timeout ' + SESSION_TIMEOUT_MS + ' ms)',
        states.length === 0 && stat, 'state changes ' + states.map(String) + ', ephemeral ' + stat);
}

/** Registers a watch with `register(watcher)` and resolves with the first event it gets. */
function oneEvent(what, register) {
    return bounded(what, (resolve) => register((event) => resolve(event)));
}

async function expectEvent(name, eventPromise, type, path) {
    const event = await eventPromise;
    check(name, event.getType() === type && event.getPath() === path, 'got ' + event);
}

async function checkWatches(zk, other) {
    const p = ROOT + '/p';
    let changed;
    await new Promise((armed) => {
        changed = oneEvent('data watch', (watcher) => zk.getData(p, watcher, () => armed()));
    });
    await call(other, 'setData', p, Buffer.from('from-other'), -1);
    await expectEvent('data watch fires on set from second session', changed, EventType.NODE_DATA_CHANGED, p);

    const w = ROOT + '/w';
    let created;
    const [absent] = await new Promise((armed) => {
        created = oneEvent('exists watch', (watcher) => zk.exists(w, watcher, (error, stat) => armed([stat])));
    });
    check('exists watch on absent node', !absent, 'got ' + absent);
    await call(other, 'create', w, Buffer.alloc(0));
    await expectEvent('exists watch fires on create', created, EventType.NODE_CREATED, w);

    let childEvent;
    await new Promise((armed) => {
        childEvent = oneEvent('child watch', (watcher) => zk.getChildren(ROOT, watcher, () => armed()));
    });
    await call(other, 'remove', w, -1);
    await expectEvent('child watch fires on delete', childEvent, EventType.NODE_CHILDREN_CHANGED, ROOT);
}

async function checkTransactions(zk) {
    const p = ROOT + '/p';
    const [, stat] = await call(zk, 'getData', p);
    const good = await commit(zk.transaction()
        .create(ROOT + '/t1', Buffer.from('a'))
        .check(p, stat.version)
        .setData(p, Buffer.from('in-tx'), stat.version)
        .remove(ROOT + '/t1', -1));
    const r = good.results || [];
    check('transaction commits', !good.error && r.length === 4 && r[0].path === ROOT + '/t1'
        && r[2].stat.version === stat.version + 1, 'error ' + good.error + ', results ' + JSON.stringify(r));
    const bad = await commit(zk.transaction()
        .create(ROOT + '/t2', Buffer.from('b'))
        .remove(ROOT + '/missing', -1)
        .create(ROOT + '/t3', Buffer.from('c')));
    const codes = (bad.results || []).map((result) => result.err);
    check('failing transaction reports NoNode with results [0, NoNode, RuntimeInconsistency]',
        bad.error instanceof Code && bad.error.getCode() === Code.NO_NODE
        && JSON.stringify(codes) === JSON.stringify([0, Code.NO_NODE, Code.RUNTIME_INCONSISTENCY]),
        'error ' + bad.error + ', result codes ' + JSON.stringify(codes));
    const [t2] = await call(zk, 'exists', ROOT + '/t2');
    const [t3] = await call(zk, 'exists', ROOT + '/t3');
    check('failing transaction changed nothing', !t2 && !t3);
}

async function checkHelpers(zk) {
    const deep = ROOT + '/deep/a/b';
    const [made] = await call(zk, 'mkdirp', deep);
    const [stat] = await call(zk, 'exists', deep);
    check('mkdirp creates missing parents', made === deep && stat, 'got ' + made);
    const [acls] = await call(zk, 'getACL', deep);
    check('getACL is world:anyone with all permissions', acls.length === 1 && acls[0].permission === 31
        && acls[0].id.scheme === 'world' && acls[0].id.id === 'anyone', 'got ' + JSON.stringify(acls));
    for (const path of [deep, ROOT + '/deep/a', ROOT + '/deep']) {
        await call(zk, 'remove', path, -1);
    }
    ok('remove the created parents');
}

/** The id of a digest ACL: user:base64(sha1(user:password)). */
function digestId(user, password) {
    return user + ':' + crypto.createHash('sha1').update(user + ':' + password).digest('base64');
}

function aclSummary(acls) {
    return JSON.stringify(acls.map((a) => [a.permission, a.id.scheme, a.id.id]));
}

/** The client's ACL constants (CREATOR_ALL_ACL is the auth scheme with id '') and digest ACLs. */
async function checkAcls(zk, other, alice) {
    const ALL = zookeeper.Permission.ALL;
    const READ = zookeeper.Permission.READ;
    const c = ROOT + '/creator-all';
    const [created] = await call(alice, 'create', c, Buffer.from('mine'), zookeeper.ACL.CREATOR_ALL_ACL);
    check('create with CREATOR_ALL_ACL when authenticated', created === c, 'got ' + created);
    const [acls] = await call(alice, 'getACL', c);
    check('CREATOR_ALL_ACL becomes the session\'s digest id',
        aclSummary(acls) === JSON.stringify([[ALL, 'digest', digestId(USER, PASSWORD)]]), 'got ' + aclSummary(acls));
    const [mine] = await call(alice, 'getData', c);
    check('the creator reads its node', mine.toString() === 'mine');
    await expectError('another session may not read it -> NoAuth', Code.NO_AUTH, other, 'getData', c);
    await expectError('CREATOR_ALL_ACL without authentication -> InvalidACL', Code.INVALID_ACL,
        zk, 'create', ROOT + '/creator-anonymous', Buffer.alloc(0), zookeeper.ACL.CREATOR_ALL_ACL);
    await call(alice, 'setACL', c, zookeeper.ACL.CREATOR_ALL_ACL, -1);
    ok('setACL with CREATOR_ALL_ACL');
    const tx = await commit(alice.transaction().create(ROOT + '/creator-tx', Buffer.alloc(0),
        zookeeper.ACL.CREATOR_ALL_ACL));
    check('CREATOR_ALL_ACL in a transaction', !tx.error, 'error ' + tx.error);
    await call(alice, 'remove', ROOT + '/creator-tx', -1);
    await call(alice, 'remove', c, -1);

    const d = ROOT + '/digest';
    const digestAcl = [new zookeeper.ACL(ALL, new zookeeper.Id('digest', digestId(USER, PASSWORD)))];
    await call(zk, 'create', d, Buffer.from('secret'), digestAcl);
    const [secret] = await call(alice, 'getData', d);
    check('digest ACL: its user reads', secret.toString() === 'secret');
    await expectError('digest ACL: another session -> NoAuth', Code.NO_AUTH, other, 'getData', d);
    await call(zk, 'remove', d, -1);

    const r = ROOT + '/read-only';
    await call(zk, 'create', r, Buffer.from('r'), zookeeper.ACL.READ_ACL_UNSAFE);
    const [readable] = await call(other, 'getData', r);
    check('READ_ACL_UNSAFE: anyone reads', readable.toString() === 'r');
    await expectError('READ_ACL_UNSAFE: setData -> NoAuth', Code.NO_AUTH, zk, 'setData', r, Buffer.from('x'), -1);
    const [readAcls] = await call(zk, 'getACL', r);
    check('READ_ACL_UNSAFE stored as world:anyone read',
        aclSummary(readAcls) === JSON.stringify([[READ, 'world', 'anyone']]), 'got ' + aclSummary(readAcls));
    await call(zk, 'remove', r, -1);

    const o = ROOT + '/open';
    await call(zk, 'create', o, Buffer.from('o'), zookeeper.ACL.OPEN_ACL_UNSAFE);
    await call(other, 'setData', o, Buffer.from('by-other'), -1);
    const [written] = await call(zk, 'getData', o);
    check('OPEN_ACL_UNSAFE: anyone writes', written.toString() === 'by-other');
    await call(zk, 'remove', o, -1);
}

function isEmpty(data) {
    return data === undefined || data === null || data.length === 0;
}

/** Empty data, and no data at all (sent as a null buffer). */
async function checkEmptyData(zk, other) {
    const e = ROOT + '/empty';
    await call(zk, 'create', e, Buffer.alloc(0));
    const [empty, stat] = await call(other, 'getData', e);
    check('empty data reads back empty', isEmpty(empty) && stat.dataLength === 0, 'got ' + empty);
    const n = ROOT + '/no-data';
    await call(zk, 'create', n);
    const [none, noneStat] = await call(other, 'getData', n);
    check('create without data (a null buffer) reads back empty', isEmpty(none) && noneStat.dataLength === 0,
        'got ' + none);
    await call(zk, 'setData', e, Buffer.from('x'), -1);
    // (setData with null data fails inside this client itself, before anything is sent.)
    const [setStat] = await call(zk, 'setData', e, Buffer.alloc(0), -1);
    const [after] = await call(zk, 'getData', e);
    check('setData with empty data', isEmpty(after) && setStat.dataLength === 0 && setStat.version === 2,
        'got ' + after + ' version ' + setStat.version);
    const tx = await commit(zk.transaction().setData(e, Buffer.alloc(0), -1).create(ROOT + '/empty-tx'));
    check('empty data in a transaction', !tx.error, 'error ' + tx.error);
    for (const path of [ROOT + '/empty-tx', n, e]) {
        await call(zk, 'remove', path, -1);
    }
}

/**
 * addAuthInfo with empty credentials: this client sends them as an empty buffer (not a null one),
 * which ZooKeeper accepts as the digest id ':' + base64(sha1('')).
 */
async function checkEmptyCredentials(hosts) {
    const client = await connect(hosts, 'connect session for empty credentials');
    let failed = false;
    client.once('authenticationFailed', () => { failed = true; });
    client.addAuthInfo('digest', Buffer.alloc(0));
    const p = ROOT + '/empty-credentials';
    await call(client, 'create', p, Buffer.alloc(0), zookeeper.ACL.CREATOR_ALL_ACL);
    const [acls] = await call(client, 'getACL', p);
    const emptyId = ':' + crypto.createHash('sha1').update('').digest('base64');
    check('addAuthInfo with empty credentials is a digest id', !failed
        && aclSummary(acls) === JSON.stringify([[zookeeper.Permission.ALL, 'digest', emptyId]]),
        'got ' + aclSummary(acls) + (failed ? ', authenticationFailed' : ''));
    await call(client, 'remove', p, -1);
    client.close();
}

async function checkDelete(zk) {
    const p = ROOT + '/p';
    await expectError('delete with wrong version -> BadVersion', Code.BAD_VERSION, zk, 'remove', p, 99);
    const [, stat] = await call(zk, 'getData', p);
    await call(zk, 'remove', p, stat.version);
    const [gone] = await call(zk, 'exists', p);
    check('delete', !gone);
    await expectError('delete absent -> NoNode', Code.NO_NODE, zk, 'remove', p, -1);
}

async function checkClose(zk, other, ephemerals) {
    // The client learns that its close is done only when the server closes the socket.
    await bounded('disconnected after close', (resolve) => {
        zk.once('disconnected', resolve);
        zk.close();
    });
    ok('close session');
    const left = [];
    for (const path of ephemerals) {
        const [stat] = await call(other, 'exists', path);
        if (stat) {
            left.push(path);
        }
    }
    check('ephemerals gone after close', left.length === 0, 'still there: ' + left);
    const [children] = await call(other, 'getChildren', ROOT);
    check('parent lists no children', children.length === 0, 'got ' + JSON.stringify(children));
}

async function main() {
    if (process.argv.length !== 3) {
        fail('usage', 'node node_check.js HOST:PORT');
    }
    const hosts = process.argv[2];
    const zk = await connect(hosts, 'connect');
    const states = [];
    zk.on('state', (state) => states.push(state));
    const other = await connect(hosts, 'connect second session');
    await call(zk, 'create', ROOT, Buffer.alloc(0));
    await checkData(zk);
    const ephemerals = await checkEphemerals(zk);
    await checkIdle(zk, other, ephemerals[0], states);
    await checkWatches(zk, other);
    await checkTransactions(zk);
    await checkHelpers(zk);
    const alice = await connect(hosts, 'connect authenticated session');
    alice.addAuthInfo('digest', Buffer.from(USER + ':' + PASSWORD));
    await checkAcls(zk, other, alice);
    alice.close();
    await checkEmptyData(zk, other);
    await checkEmptyCredentials(hosts);
    await checkDelete(zk);
    await checkClose(zk, other, ephemerals);
    await call(other, 'remove', ROOT, -1);
    other.close();
    ok('all checks passed');
    process.exit(0);
}

main().catch((error) => fail('unexpected error', error && error.stack ? error.stack : String(error)));
