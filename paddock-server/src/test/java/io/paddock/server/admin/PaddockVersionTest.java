package io.paddock.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.core.wire.OpCode;
import org.junit.jupiter.api.Test;

/**
 * Proves the reported version keeps the shape tools parse (ZooKeeper's
 * {@code <x.y.z>-<revision>, built on <date>}, with 3.9.5 before the first '-'), and that
 * connection "last operation" names are ZooKeeper's.
 */
class PaddockVersionTest {

    @Test
    void versionLeadsWithTheCompatibleZooKeeperRelease() {
        String full = PaddockVersion.fullVersion();
        assertTrue(full.matches("3\\.9\\.5-paddock-\\S+, built on .+"), full);
        assertEquals("3.9.5", full.substring(0, full.indexOf('-')));
        assertTrue(full.startsWith(PaddockVersion.version() + ", built on "), full);
    }

    @Test
    void lastOperationNamesAreZooKeepers() {
        assertEquals("GETD", LastOperation.of(OpCode.GET_DATA));
        assertEquals("CREA", LastOperation.of(OpCode.CREATE_TTL));
        assertEquals("GETC", LastOperation.of(OpCode.GET_CHILDREN2));
        assertEquals("PING", LastOperation.of(OpCode.PING));
        assertEquals("SESS", LastOperation.of(OpCode.CREATE_SESSION));
        assertEquals("NA", LastOperation.of(OpCode.AUTH));
    }
}
