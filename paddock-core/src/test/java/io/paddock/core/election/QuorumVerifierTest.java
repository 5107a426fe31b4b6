package io.paddock.core.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Proves majority quorums: strictly more than half of the voters, non-voters never count, and
 * any two quorums of the same voter set intersect (checked exhaustively for five voters).
 */
class QuorumVerifierTest {

    @Test
    void majorityOfThreeAndFive() {
        QuorumVerifier three = new QuorumVerifier(Set.of(1L, 2L, 3L));
        assertEquals(2, three.quorumSize());
        assertFalse(three.containsQuorum(Set.of(1L)));
        assertTrue(three.containsQuorum(Set.of(1L, 3L)));
        assertTrue(three.containsQuorum(Set.of(1L, 2L, 3L)));

        QuorumVerifier five = new QuorumVerifier(Set.of(1L, 2L, 3L, 4L, 5L));
        assertEquals(3, five.quorumSize());
        assertFalse(five.containsQuorum(Set.of(1L, 2L)));
        assertTrue(five.containsQuorum(Set.of(2L, 4L, 5L)));
    }

    @Test
    void evenSizedSetsNeedMoreThanHalf() {
        QuorumVerifier four = new QuorumVerifier(Set.of(1L, 2L, 3L, 4L));
        assertFalse(four.containsQuorum(Set.of(1L, 2L)));
        assertTrue(four.containsQuorum(Set.of(1L, 2L, 3L)));
        assertTrue(new QuorumVerifier(Set.of(7L)).containsQuorum(Set.of(7L)));
    }

    @Test
    void nonVotersDoNotCount() {
        QuorumVerifier three = new QuorumVerifier(Set.of(1L, 2L, 3L));
        assertFalse(three.containsQuorum(Set.of(1L, 8L, 9L)));
        assertFalse(three.isVoter(8));
    }

    @Test
    void anyTwoQuorumsIntersect() {
        QuorumVerifier five = new QuorumVerifier(Set.of(1L, 2L, 3L, 4L, 5L));
        for (int a = 0; a < 32; a++) {
            for (int b = 0; b < 32; b++) {
                Set<Long> x = subset(a);
                Set<Long> y = subset(b);
                if (five.containsQuorum(x) && five.containsQuorum(y)) {
                    assertTrue(x.stream().anyMatch(y::contains), x + " and " + y + " must share a voter");
                }
            }
        }
    }

    @Test
    void rejectsAnEmptyVoterSet() {
        assertThrows(IllegalArgumentException.class, () -> new QuorumVerifier(Set.of()));
    }

    private static Set<Long> subset(int bits) {
        java.util.TreeSet<Long> set = new java.util.TreeSet<>();
        for (int i = 0; i < 5; i++) {
            if ((bits & (1 << i)) != 0) {
                set.add((long) i + 1);
            }
        }
        return set;
    }
}
