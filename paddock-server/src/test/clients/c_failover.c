/*
 * Writes through the ZooKeeper C client (libzookeeper_mt) to one follower of a Paddock ensemble
 * while its leader is lost.
 *
 * Build: gcc -DTHREADED -o c_failover c_failover.c -lzookeeper_mt
 * Usage: c_failover WRITES HOST:PORT
 * Creates /c-failover/owner (ephemeral), then WRITES nodes /c-failover/n-NNNN one after the other
 * (synchronous zoo_create), each with its number as data; the test closes the ensemble's leader
 * once some of them are written. Checks that no call failed (the follower keeps the connection
 * across the leader change and sends the write in flight on to the new leader), that the
 * watcher saw no state but connected, that the session and its ephemeral node survived, and that
 * every node holds its data. Prints "ok <check>" per check and exits 1 on the first failure
 * ("FAIL <check>: why"). Every wait is bounded. Run by io.paddock.server.clients.CClientTest.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zookeeper/zookeeper.h>

#include "check_report.h"

#define CONNECT_SECONDS_MAX 5
/* Long enough that no session expires while a leader is elected; the follower closes a
 * connection only after a third of it without a leader. */
#define SESSION_TIMEOUT_MS 30000
#define PATH_BYTES_MAX 256
#define ROOT "/c-failover"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int connected;
/* Session events other than "connected" (a lost connection, an expired session). */
static int other_states;
static int last_other_state;

static void watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    (void) zh;
    (void) path;
    (void) ctx;
    if (type != ZOO_SESSION_EVENT) {
        return;
    }
    pthread_mutex_lock(&lock);
    if (state == ZOO_CONNECTED_STATE) {
        connected++;
    } else {
        other_states++;
        last_other_state = state;
    }
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fail("usage", "c_failover WRITES HOST:PORT");
    }
    int writes = atoi(argv[1]);
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    zhandle_t *zh = zookeeper_init(argv[2], watcher, SESSION_TIMEOUT_MS, NULL, NULL, 0);
    if (zh == NULL) {
        fail("connect", "zookeeper_init failed");
    }
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += CONNECT_SECONDS_MAX;
    pthread_mutex_lock(&lock);
    while (connected == 0) {
        if (pthread_cond_timedwait(&changed, &lock, &deadline) != 0) {
            break;
        }
    }
    int was_connected = connected;
    pthread_mutex_unlock(&lock);
    if (!was_connected) {
        fail("connect", "not connected within %d s", CONNECT_SECONDS_MAX);
    }
    int64_t session = zoo_client_id(zh)->client_id;
    int rc = zoo_create(zh, ROOT, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
    if (rc != ZOK) {
        fail("create root", "%s", zerror(rc));
    }
    rc = zoo_create(zh, ROOT "/owner", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, NULL, 0);
    if (rc != ZOK) {
        fail("create ephemeral", "%s", zerror(rc));
    }
    double started = now_ms();
    double slowest = 0;
    char path[PATH_BYTES_MAX];
    char data[32];
    for (int i = 0; i < writes; i++) {
        snprintf(path, sizeof(path), ROOT "/n-%04d", i);
        snprintf(data, sizeof(data), "%d", i);
        double before = now_ms();
        rc = zoo_create(zh, path, data, (int) strlen(data), &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
        if (rc != ZOK) {
            fail("writes across the leader change", "write %d failed after %.0f ms: %s", i, now_ms() - before,
                 zerror(rc));
        }
        if (now_ms() - before > slowest) {
            slowest = now_ms() - before;
        }
    }
    printf("ok writes across the leader change (%d in %.0f ms, slowest %.0f ms)\n", writes, now_ms() - started,
           slowest);
    fflush(stdout);
    if (zoo_client_id(zh)->client_id != session) {
        fail("same session", "session 0x%llx became 0x%llx", (long long) session,
             (long long) zoo_client_id(zh)->client_id);
    }
    ok("same session");
    pthread_mutex_lock(&lock);
    int others = other_states;
    int last = last_other_state;
    pthread_mutex_unlock(&lock);
    if (others != 0) {
        fail("connection kept", "%d session events other than connected, the last state %d", others, last);
    }
    ok("connection kept");
    struct Stat stat;
    rc = zoo_exists(zh, ROOT "/owner", 0, &stat);
    if (rc != ZOK) {
        fail("ephemeral kept", "%s", zerror(rc));
    }
    ok("ephemeral kept");
    struct String_vector children;
    rc = zoo_get_children(zh, ROOT, 0, &children);
    if (rc != ZOK || children.count != writes + 1) {
        fail("every write kept", "%s, %d children, expected %d", zerror(rc), rc == ZOK ? children.count : -1,
             writes + 1);
    }
    deallocate_String_vector(&children);
    for (int i = 0; i < writes; i++) {
        char got[32];
        int length = sizeof(got) - 1;
        snprintf(path, sizeof(path), ROOT "/n-%04d", i);
        snprintf(data, sizeof(data), "%d", i);
        rc = zoo_get(zh, path, 0, got, &length, NULL);
        if (rc != ZOK || length != (int) strlen(data) || memcmp(got, data, length) != 0) {
            fail("every write kept", "%s: %s", path, rc != ZOK ? zerror(rc) : "wrong data");
        }
    }
    ok("every write kept");
    zookeeper_close(zh);
    ok("all checks passed");
    return 0;
}
