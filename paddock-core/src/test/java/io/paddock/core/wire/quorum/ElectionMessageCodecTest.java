package io.paddock.core.wire.quorum;

import static io.paddock.core.wire.quorum.QuorumPacketCodecTest.fromHex;
import static io.paddock.core.wire.quorum.QuorumPacketCodecTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.zookeeper.common.NetUtils;
import org.apache.zookeeper.server.quorum.QuorumCnxManager;
import org.junit.jupiter.api.Test;

/**
 * Proves the election port's messages match ZooKeeper 3.9.5: notifications equal the bytes of
 * FastLeaderElection.buildMsg and decode as its receiver reads each body length (28, 40, the
 * current form; every other prefix refused); frames as QuorumCnxManager writes and bounds them;
 * the initial message is read by QuorumCnxManager.InitialMessage.parse as we meant it, and what
 * ZooKeeper refuses we refuse.
 */
class ElectionMessageCodecTest {
    private static final long[] LONGS = {0, 1, -1, 0x1_0000_0005L, Long.MAX_VALUE, Long.MIN_VALUE};
    private static final List<byte[]> CONFIGS = List.of(new byte[0],
            "server.1=127.0.0.1:2888:3888:participant;0.0.0.0:2181\nversion=100000000".getBytes(StandardCharsets.UTF_8),
            "ünï😀".getBytes(StandardCharsets.UTF_8));

    @Test
    void notificationHasTheseBytes() {
        NotificationMessage n = NotificationMessage.current(NotificationMessage.LEADING, 3, 0x1_0000_0002L, 7, 1,
                "v".getBytes(StandardCharsets.UTF_8));
        assertEquals("00000002" + "0000000000000003" + "0000000100000002" + "0000000000000007" + "0000000000000001"
                + "00000002" + "00000001" + "76", hex(n.encode()));
        assertEquals("0000002d" + hex(n.encode()), hex(ElectionFrame.encode(n)));
    }

    @Test
    void notificationsMatchBuildMsgBothWays() throws Exception {
        for (int state = 0; state <= 3; state++) {
            for (int i = 0; i < LONGS.length; i++) {
                for (byte[] config : CONFIGS) {
                    long a = LONGS[i];
                    long b = LONGS[(i + 1) % LONGS.length];
                    long c = LONGS[(i + 2) % LONGS.length];
                    byte[] zk = ZkQuorumOracle.buildMsg(state, a, b, c, ~a, config);
                    NotificationMessage ours = NotificationMessage.current(state, a, b, c, ~a, config);
                    assertArrayEquals(zk, ours.encode(), () -> "bytes of " + ours);
                    assertEquals(ours, NotificationMessage.decode(zk));
                    byte[] frame = frameAsSendWorkerWritesIt(zk);
                    assertArrayEquals(frame, ElectionFrame.encode(ours));
                    assertArrayEquals(zk, StreamAsserts.assertStreamDecodes(frame, ElectionFrame::decode));
                }
            }
        }
    }

    @Test
    void olderFormsDecodeAsZooKeeperReadsThem() throws Exception {
        byte[] form40 = ZkQuorumOracle.buildMsg40(NotificationMessage.FOLLOWING, 5, -0x2_0000_0000L, 9, 4);
        assertEquals(40, form40.length);
        // The 40-byte form: peerEpoch read, version not read (ZooKeeper 3.4.6+ wrote 1 there), no config.
        assertEquals(new NotificationMessage(NotificationMessage.FOLLOWING, 5, -0x2_0000_0000L, 9, 4, 0, null),
                NotificationMessage.decode(form40));
        // The 28-byte form: peerEpoch is the zxid's epoch, by an arithmetic shift as ZxidUtils does.
        assertEquals(new NotificationMessage(NotificationMessage.FOLLOWING, 5, -0x2_0000_0000L, 9, -2, 0, null),
                NotificationMessage.decode(Arrays.copyOf(form40, 28)));
    }

    @Test
    void everyOtherPrefixOfANotificationIsRefused() throws Exception {
        byte[] whole = ZkQuorumOracle.buildMsg(0, 1, 2, 3, 4, "abc".getBytes(StandardCharsets.UTF_8));
        for (int length = 0; length < whole.length; length++) {
            byte[] prefix = Arrays.copyOf(whole, length);
            if (length == 28 || length == 40) {
                assertNull(NotificationMessage.decode(prefix).config());
            } else {
                int shown = length;
                assertThrows(PeerProtocolException.class, () -> NotificationMessage.decode(prefix), () -> "length " + shown);
            }
        }
    }

    @Test
    void laterFieldsAreIgnoredAndUnknownStatesRefused() throws Exception {
        byte[] config = {'x'};
        byte[] longer = Arrays.copyOf(ZkQuorumOracle.buildMsg(1, 2, 3, 4, 5, config), 50);
        assertEquals(NotificationMessage.current(1, 2, 3, 4, 5, config), NotificationMessage.decode(longer));
        byte[] version1 = fromHex("00000000" + "00".repeat(32) + "00000001" + "0000");
        assertEquals(new NotificationMessage(0, 0, 0, 0, 0, 1, null), NotificationMessage.decode(version1));
        for (int state : new int[] {4, -1, Integer.MAX_VALUE}) {
            byte[] bad = ZkQuorumOracle.buildMsg(state, 1, 2, 3, 4, config);
            assertThrows(PeerProtocolException.class, () -> NotificationMessage.decode(bad));
        }
        byte[] configTooLong = ZkQuorumOracle.buildMsg(1, 2, 3, 4, 5, config);
        configTooLong[43] = 2;
        assertThrows(PeerProtocolException.class, () -> NotificationMessage.decode(configTooLong));
    }

    @Test
    void frameLengthsAreBoundedAsQuorumCnxManagerBoundsThem() throws Exception {
        assertEquals(ZkQuorumOracle.staticField(QuorumCnxManager.class, "PACKETMAXSIZE"), ElectionFrame.BODY_BYTES_MAX);
        for (int bad : new int[] {0, -1, Integer.MIN_VALUE, ElectionFrame.BODY_BYTES_MAX + 1}) {
            byte[] frame = fromHex(String.format("%08x", bad));
            assertThrows(PeerProtocolException.class, () -> ElectionFrame.decode(frame, 0, 4), () -> "length " + bad);
        }
        byte[] atLimit = fromHex(String.format("%08x", ElectionFrame.BODY_BYTES_MAX));
        assertEquals(4 + ElectionFrame.BODY_BYTES_MAX,
                assertInstanceOf(DecodeResult.NeedMore.class, ElectionFrame.decode(atLimit, 0, 4)).bytesNeeded());
    }

    @Test
    void initialMessageIsReadByZooKeeperAsWeMeantIt() throws Exception {
        assertEquals(QuorumCnxManager.PROTOCOL_VERSION_V1, InitialMessage.PROTOCOL_VERSION_V1);
        assertEquals(QuorumCnxManager.PROTOCOL_VERSION_V2, InitialMessage.PROTOCOL_VERSION_V2);
        assertEquals(QuorumCnxManager.maxBuffer, InitialMessage.ADDRESS_BYTES_MAX);
        List<InitialMessage> messages = List.of(
                InitialMessage.v1(1, new ElectionAddress("127.0.0.1", 3888)),
                InitialMessage.v1(Long.MAX_VALUE, new ElectionAddress("0:0:0:0:0:0:0:1", 0)),
                InitialMessage.v1(-5, new ElectionAddress("localhost", 65535)),
                new InitialMessage(InitialMessage.Form.V2, 3, List.of(new ElectionAddress("10.0.0.3", 3888),
                        new ElectionAddress("fe80:0:0:0:0:0:0:1", 3889), new ElectionAddress("127.0.0.2", 1))));
        for (InitialMessage ours : messages) {
            QuorumCnxManager.InitialMessage zk = ZkQuorumOracle.parseInitialMessage(ours.encode());
            assertEquals(ours.sid(), zk.sid);
            assertEquals(ours.addresses(), zk.electionAddr.stream()
                    .map(a -> new ElectionAddress(a.getHostString(), a.getPort())).toList());
            for (ElectionAddress a : ours.addresses()) {
                assertEquals(NetUtils.formatInetAddr(new InetSocketAddress(a.host(), a.port())), a.format());
            }
            assertEquals(ours, StreamAsserts.assertStreamDecodes(ours.encode(), InitialMessage::decode));
        }
    }

    @Test
    void initialMessageWrittenAsZooKeeperWritesItDecodes() throws Exception {
        // ZooKeeper prints an IPv6 literal in full, in brackets.
        byte[] zk = initialMessageAsZooKeeperWritesIt(QuorumCnxManager.PROTOCOL_VERSION_V1, 2,
                NetUtils.formatInetAddr(new InetSocketAddress("::1", 3888)));
        assertEquals(InitialMessage.v1(2, new ElectionAddress("0:0:0:0:0:0:0:1", 3888)),
                StreamAsserts.assertStreamDecodes(zk, InitialMessage::decode));
        assertEquals("ffffffffffff0000" + "0000000000000002" + "00000016"
                + hex("[0:0:0:0:0:0:0:1]:3888".getBytes(StandardCharsets.US_ASCII)), hex(zk));
        // A short IPv6 form decodes as written; ZooKeeper's reader resolves it to the same address.
        InitialMessage shortForm = InitialMessage.v1(2, new ElectionAddress("::1", 3888));
        assertEquals(new InetSocketAddress("::1", 3888),
                ZkQuorumOracle.parseInitialMessage(shortForm.encode()).electionAddr.get(0));
        assertEquals(shortForm, StreamAsserts.assertStreamDecodes(shortForm.encode(), InitialMessage::decode));
        byte[] sidOnly = fromHex("0000000000000007");
        assertEquals(InitialMessage.sidOnly(7), StreamAsserts.assertStreamDecodes(sidOnly, InitialMessage::decode));
        assertArrayEquals(sidOnly, InitialMessage.sidOnly(7).encode());
    }

    @Test
    void whatZooKeeperRefusesWeRefuse() throws Exception {
        String longest = "h".repeat(InitialMessage.ADDRESS_BYTES_MAX - 5) + ":3888";
        assertEquals(longest, ZkQuorumOracle.parseInitialMessage(initialMessageAsZooKeeperWritesIt(-65536L, 1, longest))
                .electionAddr.get(0).getHostString() + ":3888");
        byte[] longestMessage = initialMessageAsZooKeeperWritesIt(-65536L, 1, longest);
        assertEquals(longestMessage.length, StreamAsserts.complete(
                InitialMessage.decode(longestMessage, 0, longestMessage.length)).length());
        List<byte[]> refused = List.of(
                initialMessageAsZooKeeperWritesIt(-1L, 1, "127.0.0.1:3888"), // unknown version
                initialMessageAsZooKeeperWritesIt(-65534L, 1, "127.0.0.1:3888"),
                initialMessageAsZooKeeperWritesIt(-65536L, 1, longest + "1"), // over maxBuffer
                lengthOnly(0), lengthOnly(-1), lengthOnly(Integer.MAX_VALUE),
                initialMessageAsZooKeeperWritesIt(-65536L, 1, "127.0.0.1"), // no port
                initialMessageAsZooKeeperWritesIt(-65536L, 1, "127.0.0.1:"),
                initialMessageAsZooKeeperWritesIt(-65536L, 1, "a:1:2"),
                initialMessageAsZooKeeperWritesIt(-65536L, 1, "[::1]"),
                initialMessageAsZooKeeperWritesIt(-65536L, 1, "[::1]:"),
                initialMessageAsZooKeeperWritesIt(-65536L, 1, "[::1:3888"),
                initialMessageAsZooKeeperWritesIt(-65536L, 1, "127.0.0.1:x"),
                initialMessageAsZooKeeperWritesIt(-65536L, 1, "127.0.0.1:65536"),
                initialMessageAsZooKeeperWritesIt(-65535L, 1, "127.0.0.1:1||127.0.0.1:2"));
        for (byte[] bad : refused) {
            assertThrows(PeerProtocolException.class, () -> InitialMessage.decode(bad, 0, bad.length), () -> hex(bad));
            assertThrows(Exception.class, () -> ZkQuorumOracle.parseInitialMessage(bad), () -> "ZooKeeper took " + hex(bad));
        }
    }

    @Test
    void whereZooKeeperIsLooserWeRefuseOnPurpose() throws Exception {
        // ZooKeeper's getHostAndPort takes any character after ']' as the colon, its split drops a
        // trailing '|', and it accepts an empty host or a '+' before the port; no ZooKeeper writes these.
        for (String address : List.of("[::1]x3888", "127.0.0.1:1|", ":3888", "127.0.0.1:+80")) {
            byte[] b = initialMessageAsZooKeeperWritesIt(-65535L, 1, address);
            ZkQuorumOracle.parseInitialMessage(b);
            assertThrows(PeerProtocolException.class, () -> InitialMessage.decode(b, 0, b.length), address);
        }
    }

    private static byte[] lengthOnly(int addressLength) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buffer);
        out.writeLong(QuorumCnxManager.PROTOCOL_VERSION_V1);
        out.writeLong(1);
        out.writeInt(addressLength);
        out.write(new byte[16]);
        return buffer.toByteArray();
    }

    /** The initial message as QuorumCnxManager's connecting side writes it (a DataOutputStream). */
    private static byte[] initialMessageAsZooKeeperWritesIt(long version, long sid, String address) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buffer);
        byte[] addressBytes = address.getBytes(StandardCharsets.UTF_8);
        out.writeLong(version);
        out.writeLong(sid);
        out.writeInt(addressBytes.length);
        out.write(addressBytes);
        return buffer.toByteArray();
    }

    /** A frame as QuorumCnxManager.SendWorker writes it: writeInt(capacity), then the array. */
    private static byte[] frameAsSendWorkerWritesIt(byte[] body) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buffer);
        out.writeInt(body.length);
        out.write(body);
        return buffer.toByteArray();
    }
}
