package io.paddock.core.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Proves the vote order is ZooKeeper's totalOrderPredicate: epoch first, then zxid, then sid,
 * with a table of named cases, and that it is a strict total order (irreflexive, antisymmetric,
 * transitive, total on distinct votes) over many random votes.
 */
class VoteOrderTest {
    private record Case(String name, Vote better, Vote worse) {
    }

    private static final List<Case> CASES = List.of(
            new Case("higher sid breaks a zxid and epoch tie", new Vote(3, 10, 1), new Vote(2, 10, 1)),
            new Case("higher zxid beats higher sid", new Vote(1, 11, 1), new Vote(3, 10, 1)),
            new Case("higher epoch beats higher zxid", new Vote(1, 0, 2), new Vote(3, 99, 1)),
            new Case("higher epoch beats higher sid", new Vote(1, 5, 2), new Vote(5, 5, 1)),
            new Case("zxid compares as a number", new Vote(1, 0x1_0000_0000L, 1), new Vote(2, 0xffff_ffffL, 1)),
            new Case("zero zxid loses to any positive", new Vote(1, 1, 0), new Vote(9, 0, 0)));

    @Test
    void tableOfCases() {
        for (Case c : CASES) {
            assertTrue(c.better().isBetterThan(c.worse()), c.name());
            assertFalse(c.worse().isBetterThan(c.better()), c.name() + " (reversed)");
            assertEquals(c.better(), Vote.better(c.worse(), c.better()), c.name() + " better(a,b)");
            assertEquals(c.better(), Vote.better(c.better(), c.worse()), c.name() + " better(b,a)");
        }
    }

    @Test
    void aVoteIsNotBetterThanItself() {
        Vote v = new Vote(2, 7, 1);
        assertFalse(v.isBetterThan(new Vote(2, 7, 1)));
    }

    @Test
    void isAStrictTotalOrderOnRandomVotes() {
        Random random = new Random(42);
        for (int i = 0; i < 5_000; i++) {
            Vote a = randomVote(random);
            Vote b = randomVote(random);
            Vote c = randomVote(random);
            assertFalse(a.isBetterThan(a), "irreflexive " + a);
            assertFalse(a.isBetterThan(b) && b.isBetterThan(a), "antisymmetric " + a + " " + b);
            if (!a.equals(b)) {
                assertTrue(a.isBetterThan(b) || b.isBetterThan(a), "total " + a + " " + b);
            }
            if (a.isBetterThan(b) && b.isBetterThan(c)) {
                assertTrue(a.isBetterThan(c), "transitive " + a + " " + b + " " + c);
            }
        }
    }

    private static Vote randomVote(Random random) {
        return new Vote(1 + random.nextInt(3), random.nextInt(3), random.nextInt(3));
    }
}
