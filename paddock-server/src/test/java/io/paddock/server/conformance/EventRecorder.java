package io.paddock.server.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;

/**
 * A watcher that keeps every event it is given: session state changes (type None) and node
 * events, each consumed in arrival order by {@link #nextNodeEvent()}.
 */
final class EventRecorder implements Watcher {
    private final List<WatchedEvent> states = new ArrayList<>();
    private final List<WatchedEvent> nodeEvents = new ArrayList<>();
    private int consumedNodeEvents;

    @Override
    public synchronized void process(WatchedEvent event) {
        if (event.getType() == EventType.None) {
            states.add(event);
        } else {
            nodeEvents.add(event);
        }
        notifyAll();
    }

    /** Waits until the session has been in {@code state} (now or earlier). */
    synchronized void awaitState(KeeperState state) throws InterruptedException {
        awaitState(state, Await.DEFAULT_BOUND);
    }

    synchronized void awaitState(KeeperState state, Duration bound) throws InterruptedException {
        awaitStateCount(state, 1, bound);
    }

    /** Waits until the session has entered {@code state} at least {@code times} times. */
    synchronized void awaitStateCount(KeeperState state, int times, Duration bound) throws InterruptedException {
        long deadlineNanos = System.nanoTime() + bound.toNanos();
        while (states.stream().filter(event -> event.getState() == state).count() < times) {
            waitUntil(deadlineNanos, times + " x session state " + state + ", saw " + states);
        }
    }

    synchronized boolean sawState(KeeperState state) {
        return states.stream().anyMatch(event -> event.getState() == state);
    }

    /** The next node event not yet returned, waiting for it with a bound. */
    synchronized WatchedEvent nextNodeEvent() throws InterruptedException {
        long deadlineNanos = System.nanoTime() + Await.DEFAULT_BOUND.toNanos();
        while (consumedNodeEvents == nodeEvents.size()) {
            waitUntil(deadlineNanos, "a node event");
        }
        return nodeEvents.get(consumedNodeEvents++);
    }

    /** Node events received but not yet returned by {@link #nextNodeEvent()}. */
    synchronized List<WatchedEvent> pendingNodeEvents() {
        return List.copyOf(nodeEvents.subList(consumedNodeEvents, nodeEvents.size()));
    }

    private void waitUntil(long deadlineNanos, String what) throws InterruptedException {
        long leftMs = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (leftMs <= 0) {
            fail("no " + what + " in time");
        }
        wait(leftMs);
    }
}
