package io.paddock.core.session;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves tick-bucketed expiry: a session expires at its timeout rounded up to the next tick,
 * a touch pushes its deadline, a closing session is not reported twice, and while expiry is
 * held (no leader) nothing expires and every session gets a full timeout when it resumes.
 */
class SessionTableTest {
    private static final byte[] PW = new byte[16];

    private static List<Long> ids(List<Session> sessions) {
        return sessions.stream().map(Session::id).toList();
    }

    @Test
    void expiresAtTheNextTickAfterItsTimeout() {
        SessionTable t = new SessionTable(100);
        t.add(1, 1000, PW, 50);
        assertEquals(1100, t.get(1).expiresAtMs(), "deadline 1050 rounds up to the tick");
        assertTrue(t.expired(1099).isEmpty());
        assertEquals(List.of(1L), ids(t.expired(1100)));
    }

    @Test
    void aTouchPushesTheDeadline() {
        SessionTable t = new SessionTable(100);
        t.add(1, 1000, PW, 0);
        t.add(2, 1000, PW, 0);
        t.touch(t.get(1), 900);
        assertEquals(List.of(2L), ids(t.expired(1100)));
        assertEquals(List.of(2L, 1L), ids(t.expired(2000)), "in deadline order");
    }

    @Test
    void aClosingSessionIsNotReportedAgainAndLeavesWhenRemoved() {
        SessionTable t = new SessionTable(100);
        t.add(1, 1000, PW, 0);
        t.markClosing(t.get(1));
        assertTrue(t.expired(5000).isEmpty());
        t.unmarkClosing(t.get(1));
        assertEquals(List.of(1L), ids(t.expired(5000)));
        t.remove(1);
        assertFalse(t.contains(1));
        assertTrue(t.expired(5000).isEmpty());
    }

    @Test
    void heldExpiryResumesWithAFullTimeout() {
        SessionTable t = new SessionTable(100);
        t.add(1, 1000, PW, 0);
        t.setExpiryEnabled(false, 500);
        assertTrue(t.expired(10_000).isEmpty(), "no session expires while there is no leader");
        t.setExpiryEnabled(true, 10_000);
        assertTrue(t.expired(10_999).isEmpty());
        assertEquals(List.of(1L), ids(t.expired(11_100)));
    }

    @Test
    void refusesDuplicatesAndBadTicks() {
        SessionTable t = new SessionTable(100);
        t.add(1, 1000, PW, 0);
        assertThrows(IllegalStateException.class, () -> t.add(1, 1000, PW, 0));
        assertThrows(IllegalArgumentException.class, () -> new SessionTable(0));
    }
}
