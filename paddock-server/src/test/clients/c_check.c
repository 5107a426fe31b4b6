/*
 * Drives the ZooKeeper C client (libzookeeper_mt) through the operations applications use.
 *
 * Build: gcc -DTHREADED -o c_check c_check.c -lzookeeper_mt
 * Usage: c_check HOST:PORT
 * Prints one line per check ("ok <check>") and exits 1 on the first failure ("FAIL <check>: why").
 * Every wait is bounded. Run by io.paddock.server.clients.CClientTest against Paddock and
 * against Apache ZooKeeper.
 */
#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zookeeper/zookeeper.h>

#include "check_report.h"

#define WAIT_SECONDS_MAX 5
#define SESSION_TIMEOUT_MS 2000
/* Idle longer than the session timeout: only the client's pings, timed from the negotiated
 * timeout, keep the session alive. */
#define IDLE_MS 3000
#define PATH_BYTES_MAX 256
#define DATA_BYTES_MAX 1024
#define ROOT "/c-check"

/* What a watcher saw: the first event (type, state, path) after it was armed. */
struct seen {
    pthread_mutex_t lock;
    pthread_cond_t arrived;
    int count;
    int type;
    int state;
    char path[PATH_BYTES_MAX];
};

static void expect_rc(const char *name, int expected, int rc) {
    if (rc != expected) {
        fail(name, "expected %d (%s), got %d (%s)", expected, zerror(expected), rc, zerror(rc));
    }
    ok(name);
}

static void seen_init(struct seen *s) {
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->arrived, NULL);
}

static void record(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    (void) zh;
    struct seen *s = ctx;
    pthread_mutex_lock(&s->lock);
    if (s->count == 0) {
        s->type = type;
        s->state = state;
        snprintf(s->path, sizeof(s->path), "%s", path == NULL ? "" : path);
    }
    s->count++;
    pthread_cond_broadcast(&s->arrived);
    pthread_mutex_unlock(&s->lock);
}

/* Waits up to WAIT_SECONDS_MAX for the first event; returns 1 if one arrived. */
static int await_event(struct seen *s) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += WAIT_SECONDS_MAX;
    pthread_mutex_lock(&s->lock);
    int rc = 0;
    while (s->count == 0 && rc != ETIMEDOUT) {
        rc = pthread_cond_timedwait(&s->arrived, &s->lock, &deadline);
    }
    int arrived = s->count > 0;
    pthread_mutex_unlock(&s->lock);
    return arrived;
}

static void expect_event(const char *name, struct seen *s, int type, const char *path) {
    if (!await_event(s)) {
        fail(name, "no event within %d s", WAIT_SECONDS_MAX);
    }
    if (s->type != type || strcmp(s->path, path) != 0) {
        fail(name, "expected type %d on %s, got type %d on %s", type, path, s->type, s->path);
    }
    ok(name);
}

static zhandle_t *connect_session(const char *hosts, const char *name, struct seen *session) {
    seen_init(session);
    zhandle_t *zh = zookeeper_init(hosts, record, SESSION_TIMEOUT_MS, NULL, session, 0);
    if (zh == NULL) {
        fail(name, "zookeeper_init: %s", strerror(errno));
    }
    if (!await_event(session) || session->state != ZOO_CONNECTED_STATE) {
        fail(name, "not connected within %d s (state %d)", WAIT_SECONDS_MAX, session->state);
    }
    ok(name);
    return zh;
}

static void check_data(zhandle_t *zh) {
    char created[PATH_BYTES_MAX];
    char data[DATA_BYTES_MAX];
    int length = sizeof(data);
    struct Stat stat;
    expect_rc("create persistent", ZOK, zoo_create(zh, ROOT "/p", "hello", 5, &ZOO_OPEN_ACL_UNSAFE,
            ZOO_PERSISTENT, created, sizeof(created)));
    if (strcmp(created, ROOT "/p") != 0) {
        fail("created path", "got %s", created);
    }
    expect_rc("get data", ZOK, zoo_get(zh, ROOT "/p", 0, data, &length, &stat));
    if (length != 5 || memcmp(data, "hello", 5) != 0 || stat.version != 0) {
        fail("data back", "got %d bytes, version %d", length, stat.version);
    }
    ok("data back equals what was written");
    expect_rc("set data with right version", ZOK, zoo_set2(zh, ROOT "/p", "v1", 2, 0, &stat));
    if (stat.version != 1) {
        fail("version after set", "got %d", stat.version);
    }
    ok("version after set is 1");
    expect_rc("set data with wrong version -> BadVersion", ZBADVERSION, zoo_set(zh, ROOT "/p", "bad", 3, 0));
    length = sizeof(data);
    zoo_get(zh, ROOT "/p", 0, data, &length, &stat);
    if (length != 2 || memcmp(data, "v1", 2) != 0) {
        fail("data unchanged after BadVersion", "got %d bytes", length);
    }
    ok("data unchanged after BadVersion");
}

static int is_sequential_name(const char *path) {
    regex_t pattern;
    regcomp(&pattern, "^" ROOT "/s-[0-9]{10}$", REG_EXTENDED | REG_NOSUB);
    int matches = regexec(&pattern, path, 0, NULL, 0) == 0;
    regfree(&pattern);
    return matches;
}

static void check_ephemerals(zhandle_t *zh, char *sequential, int sequential_bytes) {
    struct Stat stat;
    struct String_vector children;
    expect_rc("create ephemeral", ZOK, zoo_create(zh, ROOT "/e", "", 0, &ZOO_OPEN_ACL_UNSAFE,
            ZOO_EPHEMERAL, NULL, 0));
    expect_rc("create ephemeral sequential", ZOK, zoo_create(zh, ROOT "/s-", "", 0, &ZOO_OPEN_ACL_UNSAFE,
            ZOO_EPHEMERAL_SEQUENTIAL, sequential, sequential_bytes));
    if (!is_sequential_name(sequential)) {
        fail("10-digit suffix", "got %s", sequential);
    }
    ok("ephemeral sequential has 10-digit suffix");
    expect_rc("exists ephemeral", ZOK, zoo_exists(zh, ROOT "/e", 0, &stat));
    if (stat.ephemeralOwner != zoo_client_id(zh)->client_id) {
        fail("ephemeral owner", "owner %llx, session %llx", (unsigned long long) stat.ephemeralOwner,
                (unsigned long long) zoo_client_id(zh)->client_id);
    }
    ok("ephemeral owner is the session");
    expect_rc("list children", ZOK, zoo_get_children(zh, ROOT, 0, &children));
    int found = 0;
    for (int i = 0; i < children.count; i++) {
        const char *c = children.data[i];
        found += strcmp(c, "p") == 0 || strcmp(c, "e") == 0 || strcmp(c, sequential + strlen(ROOT "/")) == 0;
    }
    if (children.count != 3 || found != 3) {
        fail("children are p, e and the sequential node", "got %d children, %d expected ones", children.count, found);
    }
    deallocate_String_vector(&children);
    ok("children are p, e and the sequential node");
}

static void check_idle(zhandle_t *zh, zhandle_t *other, struct seen *session) {
    struct Stat stat;
    if (zoo_recv_timeout(zh) != SESSION_TIMEOUT_MS) {
        fail("negotiated session timeout", "asked %d ms, got %d ms", SESSION_TIMEOUT_MS, zoo_recv_timeout(zh));
    }
    ok("negotiated session timeout is the requested one");
    struct timespec idle = { IDLE_MS / 1000, (IDLE_MS % 1000) * 1000000L };
    nanosleep(&idle, NULL);
    pthread_mutex_lock(&session->lock);
    int session_events = session->count;
    pthread_mutex_unlock(&session->lock);
    if (session_events != 1 || zoo_state(zh) != ZOO_CONNECTED_STATE) {
        fail("session survives idle", "%d session events, state %d", session_events, zoo_state(zh));
    }
    expect_rc("session survives 3 s idle (timeout 2 s): its ephemeral is there", ZOK,
            zoo_exists(other, ROOT "/e", 0, &stat));
}

static void check_watches(zhandle_t *zh, zhandle_t *other) {
    char data[DATA_BYTES_MAX];
    int length = sizeof(data);
    struct Stat stat;
    struct String_vector children;
    struct seen changed, created, child;
    seen_init(&changed);
    seen_init(&created);
    seen_init(&child);
    expect_rc("get with data watch", ZOK, zoo_wget(zh, ROOT "/p", record, &changed, data, &length, &stat));
    expect_rc("set from second session", ZOK, zoo_set(other, ROOT "/p", "from-other", 10, -1));
    expect_event("data watch fires", &changed, ZOO_CHANGED_EVENT, ROOT "/p");
    expect_rc("exists watch on absent node -> NoNode", ZNONODE, zoo_wexists(zh, ROOT "/w", record, &created, &stat));
    expect_rc("create from second session", ZOK, zoo_create(other, ROOT "/w", "", 0, &ZOO_OPEN_ACL_UNSAFE,
            ZOO_PERSISTENT, NULL, 0));
    expect_event("exists watch fires on create", &created, ZOO_CREATED_EVENT, ROOT "/w");
    expect_rc("get children with watch", ZOK, zoo_wget_children(zh, ROOT, record, &child, &children));
    deallocate_String_vector(&children);
    expect_rc("delete from second session", ZOK, zoo_delete(other, ROOT "/w", -1));
    expect_event("child watch fires on delete", &child, ZOO_CHILD_EVENT, ROOT);
}

static void check_good_multi(zhandle_t *zh) {
    struct Stat stat;
    struct Stat set_stat;
    char created[PATH_BYTES_MAX];
    zoo_op_t ops[4];
    zoo_op_result_t results[4];
    zoo_exists(zh, ROOT "/p", 0, &stat);
    zoo_create_op_init(&ops[0], ROOT "/t1", "a", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, created, sizeof(created));
    zoo_check_op_init(&ops[1], ROOT "/p", stat.version);
    zoo_set_op_init(&ops[2], ROOT "/p", "in-tx", 5, stat.version, &set_stat);
    zoo_delete_op_init(&ops[3], ROOT "/t1", -1);
    expect_rc("multi commits", ZOK, zoo_multi(zh, 4, ops, results));
    for (int i = 0; i < 4; i++) {
        if (results[i].err != ZOK) {
            fail("multi results", "op %d has error %d", i, results[i].err);
        }
    }
    if (strcmp(created, ROOT "/t1") != 0 || set_stat.version != stat.version + 1) {
        fail("multi results", "created %s, version %d", created, set_stat.version);
    }
    ok("multi results: created path and new version");
}

static void check_failing_multi(zhandle_t *zh) {
    struct Stat stat;
    zoo_op_t ops[3];
    zoo_op_result_t results[3];
    zoo_create_op_init(&ops[0], ROOT "/t2", "b", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, NULL, 0);
    zoo_delete_op_init(&ops[1], ROOT "/missing", -1);
    zoo_create_op_init(&ops[2], ROOT "/t3", "c", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, NULL, 0);
    expect_rc("failing multi -> NoNode", ZNONODE, zoo_multi(zh, 3, ops, results));
    if (results[0].err != ZOK || results[1].err != ZNONODE || results[2].err != ZRUNTIMEINCONSISTENCY) {
        fail("failing multi results", "got [%d, %d, %d], expected [0, %d, %d]",
                results[0].err, results[1].err, results[2].err, ZNONODE, ZRUNTIMEINCONSISTENCY);
    }
    ok("failing multi results are [0, NoNode, RuntimeInconsistency]");
    expect_rc("failing multi changed nothing (t2)", ZNONODE, zoo_exists(zh, ROOT "/t2", 0, &stat));
    expect_rc("failing multi changed nothing (t3)", ZNONODE, zoo_exists(zh, ROOT "/t3", 0, &stat));
}

static void check_acl(zhandle_t *zh) {
    struct ACL_vector acl;
    struct Stat stat;
    expect_rc("get acl", ZOK, zoo_get_acl(zh, ROOT "/p", &acl, &stat));
    if (acl.count != 1 || acl.data[0].perms != ZOO_PERM_ALL || strcmp(acl.data[0].id.scheme, "world") != 0
            || strcmp(acl.data[0].id.id, "anyone") != 0) {
        fail("acl is world:anyone with all permissions", "got %d entries, first perms %d",
                acl.count, acl.count > 0 ? acl.data[0].perms : -1);
    }
    deallocate_ACL_vector(&acl);
    ok("acl is world:anyone with all permissions");
}

static void check_delete(zhandle_t *zh) {
    struct Stat stat;
    expect_rc("delete with wrong version -> BadVersion", ZBADVERSION, zoo_delete(zh, ROOT "/p", 99));
    zoo_exists(zh, ROOT "/p", 0, &stat);
    expect_rc("delete", ZOK, zoo_delete(zh, ROOT "/p", stat.version));
    expect_rc("deleted node is gone", ZNONODE, zoo_exists(zh, ROOT "/p", 0, &stat));
    expect_rc("delete absent -> NoNode", ZNONODE, zoo_delete(zh, ROOT "/p", -1));
}

static void check_close(zhandle_t *zh, zhandle_t *other, const char *sequential) {
    struct Stat stat;
    struct String_vector children;
    expect_rc("close session", ZOK, zookeeper_close(zh));
    expect_rc("ephemeral gone after close", ZNONODE, zoo_exists(other, ROOT "/e", 0, &stat));
    expect_rc("ephemeral sequential gone after close", ZNONODE, zoo_exists(other, sequential, 0, &stat));
    expect_rc("list children after close", ZOK, zoo_get_children(other, ROOT, 0, &children));
    if (children.count != 0) {
        fail("parent lists no children", "got %d, first %s", children.count, children.data[0]);
    }
    deallocate_String_vector(&children);
    ok("parent lists no children");
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fail("usage", "c_check HOST:PORT");
    }
    zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);
    struct seen session, other_session;
    char sequential[PATH_BYTES_MAX];
    zhandle_t *zh = connect_session(argv[1], "connect", &session);
    zhandle_t *other = connect_session(argv[1], "connect second session", &other_session);
    expect_rc("create root", ZOK, zoo_create(zh, ROOT, "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, NULL, 0));
    check_data(zh);
    check_ephemerals(zh, sequential, sizeof(sequential));
    check_idle(zh, other, &session);
    check_watches(zh, other);
    check_good_multi(zh);
    check_failing_multi(zh);
    check_acl(zh);
    check_delete(zh);
    check_close(zh, other, sequential);
    expect_rc("delete root", ZOK, zoo_delete(other, ROOT, -1));
    expect_rc("close second session", ZOK, zookeeper_close(other));
    ok("all checks passed");
    return 0;
}
