package io.paddock.core.wire;

import static io.paddock.core.wire.WireAsserts.assertSameAsZk;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves the handshake, header, auth and small records are byte-identical to ZooKeeper 3.9.5's,
 * including the old ConnectRequest/ConnectResponse without the trailing readOnly byte.
 */
class HandshakeRecordsTest {
    private static final List<byte[]> PASSWORDS = Arrays.asList(null, new byte[0], new byte[16]);

    @Test
    void connectRequestMatchesZooKeeper() {
        for (byte[] passwd : PASSWORDS) {
            for (boolean readOnly : Samples.BOOLS) {
                for (long zxid : Samples.LONGS) {
                    byte[] zk = WireAsserts.assertEncodingMatches(
                            new ConnectRequest(0, zxid, 30_000, ~zxid, passwd, readOnly, true),
                            new org.apache.zookeeper.proto.ConnectRequest(0, zxid, 30_000, ~zxid, passwd, readOnly),
                            ConnectRequest::read, org.apache.zookeeper.proto.ConnectRequest::new);
                    // Only the prefix without the readOnly byte decodes: as the old form.
                    WireAsserts.assertPrefixesRejected(zk, zk.length - 1, ConnectRequest::read);
                    ConnectRequest old = WireAsserts.decodeAll(Arrays.copyOf(zk, zk.length - 1), ConnectRequest::read);
                    assertEquals(new ConnectRequest(0, zxid, 30_000, ~zxid, passwd, false, false), old);
                }
            }
        }
    }

    @Test
    void oldConnectRequestHasNoReadOnlyByte() {
        for (byte[] passwd : PASSWORDS) {
            byte[] zk = ZkOracle.bytes(
                    new org.apache.zookeeper.proto.ConnectRequest(0, 7L, 4000, 0x55L, passwd, false));
            byte[] old = Arrays.copyOf(zk, zk.length - 1);
            ConnectRequest expected = new ConnectRequest(0, 7L, 4000, 0x55L, passwd, false, false);
            assertArrayEquals(old, expected.toBytes());
            assertEquals(expected, WireAsserts.decodeAll(old, ConnectRequest::read));
            assertFalse(WireAsserts.decodeAll(old, ConnectRequest::read).hasReadOnlyField());
            WireAsserts.assertPrefixesRejected(old, old.length, ConnectRequest::read);
        }
    }

    @Test
    void connectResponseMatchesZooKeeper() {
        for (byte[] passwd : PASSWORDS) {
            for (boolean readOnly : Samples.BOOLS) {
                for (int timeOut : Samples.INTS) {
                    byte[] zk = WireAsserts.assertEncodingMatches(
                            new ConnectResponse(0, timeOut, 0x1234L, passwd, readOnly, true),
                            new org.apache.zookeeper.proto.ConnectResponse(0, timeOut, 0x1234L, passwd, readOnly),
                            ConnectResponse::read, org.apache.zookeeper.proto.ConnectResponse::new);
                    WireAsserts.assertPrefixesRejected(zk, zk.length - 1, ConnectResponse::read);
                    ConnectResponse old = WireAsserts.decodeAll(Arrays.copyOf(zk, zk.length - 1), ConnectResponse::read);
                    assertEquals(new ConnectResponse(0, timeOut, 0x1234L, passwd, false, false), old);
                }
            }
        }
    }

    @Test
    void connectResponseAnswersInTheRequestsForm() {
        byte[] passwd = {1, 2, 3};
        ConnectRequest oldForm = new ConnectRequest(0, 0, 5000, 0, null, false, false);
        ConnectResponse oldAnswer = ConnectResponse.answering(oldForm, 0, 4000, 9L, passwd, true);
        assertFalse(oldAnswer.hasReadOnlyField());
        byte[] zk = ZkOracle.bytes(new org.apache.zookeeper.proto.ConnectResponse(0, 4000, 9L, passwd, false));
        assertArrayEquals(Arrays.copyOf(zk, zk.length - 1), oldAnswer.toBytes());
        assertEquals(oldAnswer, WireAsserts.decodeAll(oldAnswer.toBytes(), ConnectResponse::read));

        ConnectRequest newForm = new ConnectRequest(0, 0, 5000, 0, null, true, true);
        ConnectResponse newAnswer = ConnectResponse.answering(newForm, 0, 4000, 9L, passwd, true);
        assertTrue(newAnswer.hasReadOnlyField());
        assertTrue(newAnswer.readOnly());
    }

    @Test
    void readOnlyNeedsTheField() {
        assertThrows(IllegalArgumentException.class, () -> new ConnectRequest(0, 0, 0, 0, null, true, false));
        assertThrows(IllegalArgumentException.class, () -> new ConnectResponse(0, 0, 0, null, true, false));
    }

    @Test
    void connectRecordsCompareAndPrintPasswordsSafely() {
        ConnectRequest a = new ConnectRequest(0, 1, 2, 3, new byte[] {9, 9}, false);
        ConnectRequest b = new ConnectRequest(0, 1, 2, 3, new byte[] {9, 9}, false);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, new ConnectRequest(0, 1, 2, 3, new byte[] {9, 8}, false));
        assertNotEquals(a, new ConnectRequest(0, 1, 2, 3, new byte[] {9, 9}, false, false));
        assertTrue(a.toString().contains("byte[2]"), a.toString());
        AuthPacket auth = new AuthPacket(0, "digest", "bob:secret".getBytes());
        assertFalse(auth.toString().contains("secret"), auth.toString());
    }

    @Test
    void headersMatchZooKeeper() {
        for (int xid : Samples.INTS) {
            for (int type : new int[] {OpCode.PING, OpCode.CREATE, OpCode.CLOSE_SESSION, 9999}) {
                assertSameAsZk(new RequestHeader(xid, type), new org.apache.zookeeper.proto.RequestHeader(xid, type),
                        RequestHeader::read, org.apache.zookeeper.proto.RequestHeader::new);
            }
            for (long zxid : Samples.LONGS) {
                assertSameAsZk(new ReplyHeader(xid, zxid, Code.NO_NODE),
                        new org.apache.zookeeper.proto.ReplyHeader(xid, zxid, Code.NO_NODE),
                        ReplyHeader::read, org.apache.zookeeper.proto.ReplyHeader::new);
            }
        }
    }

    @Test
    void multiHeaderAndErrorResponseMatchZooKeeper() {
        for (int type : Samples.INTS) {
            for (boolean done : Samples.BOOLS) {
                assertSameAsZk(new MultiHeader(type, done, -type),
                        new org.apache.zookeeper.proto.MultiHeader(type, done, -type),
                        MultiHeader::read, org.apache.zookeeper.proto.MultiHeader::new);
            }
            assertSameAsZk(new ErrorResponse(type), new org.apache.zookeeper.proto.ErrorResponse(type),
                    ErrorResponse::read, org.apache.zookeeper.proto.ErrorResponse::new);
        }
    }

    @Test
    void watcherEventMatchesZooKeeper() {
        for (String path : Samples.PATHS) {
            assertSameAsZk(new WatcherEvent(EventType.NODE_DATA_CHANGED, KeeperState.SYNC_CONNECTED, path),
                    new org.apache.zookeeper.proto.WatcherEvent(EventType.NODE_DATA_CHANGED,
                            KeeperState.SYNC_CONNECTED, path),
                    WatcherEvent::read, org.apache.zookeeper.proto.WatcherEvent::new);
        }
    }

    @Test
    void authAndSaslMatchZooKeeper() {
        for (byte[] data : Samples.DATAS) {
            for (String scheme : Samples.PATHS) {
                assertSameAsZk(new AuthPacket(0, scheme, data), new org.apache.zookeeper.proto.AuthPacket(0, scheme, data),
                        AuthPacket::read, org.apache.zookeeper.proto.AuthPacket::new);
            }
            assertSameAsZk(new GetSASLRequest(data), new org.apache.zookeeper.proto.GetSASLRequest(data),
                    GetSASLRequest::read, org.apache.zookeeper.proto.GetSASLRequest::new);
            assertSameAsZk(new SetSASLResponse(data), new org.apache.zookeeper.proto.SetSASLResponse(data),
                    SetSASLResponse::read, org.apache.zookeeper.proto.SetSASLResponse::new);
        }
    }

    @Test
    void whoAmIMatchesZooKeeper() {
        List<List<ClientInfo>> samples = Arrays.asList(null, List.of(),
                List.of(new ClientInfo("ip", "127.0.0.1"), new ClientInfo("digest", "bob"), new ClientInfo(null, null)));
        for (List<ClientInfo> infos : samples) {
            List<org.apache.zookeeper.data.ClientInfo> zk = infos == null ? null : infos.stream()
                    .map(c -> new org.apache.zookeeper.data.ClientInfo(c.authScheme(), c.user())).toList();
            assertSameAsZk(new WhoAmIResponse(infos), new org.apache.zookeeper.proto.WhoAmIResponse(zk),
                    WhoAmIResponse::read, org.apache.zookeeper.proto.WhoAmIResponse::new);
        }
    }
}
