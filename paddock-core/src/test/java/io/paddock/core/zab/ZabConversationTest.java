package io.paddock.core.zab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.paddock.core.election.ElectionTimings;
import io.paddock.core.election.QuorumVerifier;
import io.paddock.core.storage.SnapshotData;
import io.paddock.core.storage.SnapshotEncoder;
import io.paddock.core.storage.SnapshotFormat;
import io.paddock.core.storage.SnapshotHeader;
import io.paddock.core.storage.SnapshotNode;
import io.paddock.core.tree.NodeKind;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.JuteWriter;
import io.paddock.core.wire.quorum.LearnerHandshake;
import io.paddock.core.wire.quorum.LearnerInfo;
import io.paddock.core.wire.quorum.PeerProtocolException;
import io.paddock.core.wire.quorum.Ping;
import io.paddock.core.wire.quorum.QuorumPacket;
import io.paddock.core.wire.quorum.QuorumPacketType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import io.paddock.core.request.TxnEnvelope;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scripted conversations with one role handler (etcd-io/raft's testdata style): each file under
 * {@code src/test/resources/zab/conversations} is a series of blocks, a command, {@code ----}, and
 * the effects it must produce, one per line, then the role's state. The file says what it proves in
 * its opening comment. Commands:
 *
 * <pre>
 * leader sid=1 voters=1,2,3 [observers=4] accepted=0 current=0 zxid=0x0 [floor=N]
 *                                     a new leader role (proposing above floor too); the clock restarts at 0
 * follower sid=2 leader=1 voters=1,2,3 accepted=0 current=0 zxid=0x0        (observer: the same, observers=...)
 * recv FROM FOLLOWERINFO|OBSERVERINFO accepted=N | LEADERINFO epoch=N | ACKEPOCH current=N zxid=Z | PING zxid=Z
 *          | DIFF zxid=Z | TRUNC zxid=Z | SNAP zxid=Z (a snapshot of the root alone, at Z, in our format)
 *          | NEWLEADER zxid=Z | UPTODATE | PROPOSAL zxid=Z | COMMIT zxid=Z | ACK zxid=Z
 * persisted accepted=N current=N      the shell reports that write durable
 * durable zxid=Z                      the host's log is durable up to Z (LogDurable)
 * propose zxid=Z                      the host proposes a transaction (an established leader)
 * tick N                              ticks up to N, one Tick each
 * down SID                            the quorum connection with SID closed
 * </pre>
 *
 * The role's host is a {@link ScriptHost}: a history of zxids (each a createSession txn) that
 * carries out the role's LogTxn, Commit and Truncate effects; its log is durable only as far as
 * {@code durable} says. A leader/follower line may give the host's history as {@code zxid=Z}
 * (one transaction at Z, durable and applied) or {@code history=Z1,Z2,...} (one at each), and
 * {@code base=Z} where its in-memory window starts (0 by default; a zxid below it is out of reach). initLimit is 10 ticks, syncLimit 5. Run with {@code -Dpaddock.rewrite=true} to rewrite the
 * expected output from what the code does (then read the diff before committing it).
 */
class ZabConversationTest {
    private static final Path DIR = Path.of("src/test/resources/zab/conversations");
    private static final ZabTimings TIMINGS = new ZabTimings(10, 5, 2);

    static Stream<String> scripts() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txt")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void conversation(String name) throws IOException {
        Path file = DIR.resolve(name);
        String expected = Files.readString(file, StandardCharsets.UTF_8);
        String actual = new Conversation().run(expected);
        if (Boolean.getBoolean("paddock.rewrite")) {
            Files.writeString(file, actual, StandardCharsets.UTF_8);
        }
        assertEquals(expected, actual, name);
    }

    /** One script's run: parses blocks, drives the role, prints effects. */
    private static final class Conversation {
        private Role role;
        private Epochs epochs;
        private ScriptHost host;
        private long nowTick;

        String run(String script) {
            StringBuilder out = new StringBuilder();
            String[] lines = script.split("\n", -1);
            int i = 0;
            while (i < lines.length) {
                String line = lines[i];
                if (line.isBlank() || line.startsWith("#")) {
                    out.append(line).append('\n');
                    i++;
                    continue;
                }
                out.append(line).append('\n').append("----\n");
                for (String effect : execute(line.trim())) {
                    out.append(effect).append('\n');
                }
                i++;
                if (i < lines.length && lines[i].equals("----")) { // skip the old expected output
                    i++;
                    while (i < lines.length && !lines[i].isBlank()) {
                        i++;
                    }
                }
            }
            String text = out.toString();
            return text.endsWith("\n\n") ? text.substring(0, text.length() - 1) : text;
        }

        private List<String> execute(String command) {
            String[] words = command.split("\\s+");
            Map<String, String> args = new TreeMap<>();
            for (String w : words) {
                int eq = w.indexOf('=');
                if (eq > 0) {
                    args.put(w.substring(0, eq), w.substring(eq + 1));
                }
            }
            List<PeerEffect> effects = new ArrayList<>();
            List<String> printed = new ArrayList<>();
            switch (words[0]) {
                case "leader", "follower", "observer" -> start(words[0], args, effects);
                case "recv" -> {
                    long from = Long.parseLong(words[1]);
                    args.putIfAbsent("sid", words[1]);
                    step(new PeerEvent.QuorumReceived(from, packet(words[2], args)), effects);
                }
                case "persisted" -> step(new PeerEvent.EpochsPersisted(num(args, "accepted"), num(args, "current")), effects);
                case "durable" -> {
                    host.durable = num(args, "zxid");
                    step(new PeerEvent.LogDurable(host.durable), effects);
                }
                case "propose" -> {
                    TxnEnvelope txn = ScriptHost.txn(num(args, "zxid"));
                    host.log(txn);
                    step(new PeerEvent.Propose(txn, ProposalCodec.encode(txn)), effects);
                }
                case "down" -> step(new PeerEvent.PeerDown(Long.parseLong(words[1])), effects);
                case "streaming" -> step(new PeerEvent.Streaming(Long.parseLong(words[1])), effects);
                case "tick" -> {
                    long until = Long.parseLong(words[1]);
                    while (nowTick < until && role.exitReason() == null) {
                        nowTick++;
                        List<PeerEffect> tickEffects = new ArrayList<>();
                        role.step(new PeerEvent.Tick(nowTick), tickEffects);
                        for (PeerEffect e : tickEffects) {
                            printed.add("t=" + nowTick + " " + format(e));
                        }
                    }
                }
                default -> throw new IllegalArgumentException("unknown command: " + command);
            }
            for (PeerEffect e : effects) {
                printed.add(format(e));
            }
            printed.add(describeRole());
            return printed;
        }

        private void start(String kind, Map<String, String> args, List<PeerEffect> effects) {
            Set<Long> voters = sids(args.get("voters"));
            Set<Long> observers = args.containsKey("observers") ? sids(args.get("observers")) : Set.of();
            PeerConfig config = new PeerConfig(num(args, "sid"), new QuorumVerifier(voters), observers,
                    ElectionTimings.defaults(), TIMINGS);
            epochs = new Epochs(num(args, "accepted"), num(args, "current"));
            nowTick = 0; // each role in a script starts its own clock at tick 0
            if (args.containsKey("history")) {
                List<Long> zxids = new ArrayList<>();
                for (String z : args.get("history").split(",")) {
                    zxids.add(Long.decode(z));
                }
                host = new ScriptHost(zxids);
            } else {
                host = new ScriptHost(num(args, "zxid"));
            }
            if (args.containsKey("base")) {
                host.base = num(args, "base"); // its window starts there: a learner below it needs a SNAP
            }
            if (args.containsKey("applied")) {
                host.applied = num(args, "applied"); // logged, not applied yet (a leader before it is established)
            }
            if (args.containsKey("durable")) {
                host.durable = num(args, "durable"); // logged, not yet durable beyond this (a learner's sync cut short)
            }
            role = switch (kind) {
                case "leader" -> new LeaderRole(config, epochs, host,
                        args.containsKey("floor") ? num(args, "floor") : 0, nowTick, effects);
                case "follower" -> new FollowerRole(config, epochs, host, num(args, "leader"), nowTick, effects);
                default -> new ObserverRole(config, epochs, host, num(args, "leader"), nowTick, effects);
            };
            host.carryOut(effects);
        }

        private void step(PeerEvent event, List<PeerEffect> effects) {
            if (role.exitReason() != null) {
                throw new IllegalArgumentException("the script steps a role that has ended: " + role.exitReason());
            }
            if (event instanceof PeerEvent.EpochsPersisted p) {
                epochs.persisted(p.acceptedEpoch(), p.currentEpoch());
            }
            int from = effects.size();
            role.step(event, effects);
            host.carryOut(effects.subList(from, effects.size()));
        }

        private String describeRole() {
            if (role.exitReason() != null) {
                return "= exit: " + role.exitReason();
            }
            String phase = role instanceof LeaderRole l ? l.phase().name() : ((LearnerRole) role).phase().name();
            return "= " + role.state() + " " + phase + " established=" + role.establishedEpoch() + " epochs=("
                    + epochs.acceptedEpoch() + "," + epochs.currentEpoch() + ") durable=("
                    + epochs.durableAcceptedEpoch() + "," + epochs.durableCurrentEpoch() + ") " + host;
        }

        private static QuorumPacket packet(String type, Map<String, String> args) {
            return switch (type) {
                case "FOLLOWERINFO" -> LearnerHandshake.followerInfo(num(args, "accepted"),
                        new LearnerInfo(num(args, "sid"), (int) num(args, "version"), 0));
                case "OBSERVERINFO" -> LearnerHandshake.observerInfo(num(args, "accepted"),
                        new LearnerInfo(num(args, "sid"), (int) num(args, "version"), 0));
                case "LEADERINFO" -> LearnerHandshake.leaderInfo(num(args, "epoch"), LearnerInfo.PROTOCOL_VERSION);
                case "ACKEPOCH" -> LearnerHandshake.ackEpoch((int) num(args, "current"), num(args, "zxid"));
                case "PING" -> args.containsKey("reply")
                        ? Ping.reply(Ping.fromLeader(num(args, "zxid")), List.of()) : Ping.fromLeader(num(args, "zxid"));
                case "COMMIT", "DIFF", "TRUNC", "NEWLEADER", "ACK" ->
                        new QuorumPacket(typeOf(type), num(args, "zxid"));
                case "UPTODATE" -> new QuorumPacket(QuorumPacketType.UPTODATE, -1);
                case "SNAP" -> new QuorumPacket(QuorumPacketType.SNAP, num(args, "zxid"), rootSnapshot(num(args, "zxid")), null);
                case "PROPOSAL" -> new QuorumPacket(QuorumPacketType.PROPOSAL, num(args, "zxid"),
                        ProposalCodec.encode(ScriptHost.txn(num(args, "zxid"))), null);
                default -> throw new IllegalArgumentException("unknown packet type " + type);
            };
        }

        /** A snapshot at {@code zxid} holding the root alone, as a Paddock leader's SNAP data once carried it. */
        private static byte[] rootSnapshot(long zxid) {
            SnapshotData root = new SnapshotData("script", new SnapshotHeader(SnapshotFormat.VERSION, zxid, 0), List.of(),
                    List.of(new SnapshotNode("/", new byte[0], Acl.OPEN, NodeKind.PERSISTENT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
            SnapshotEncoder encoder = new SnapshotEncoder(root.asSource());
            JuteWriter bytes = new JuteWriter(256);
            while (!encoder.writeNext(bytes, 8)) {
                // bounded frames
            }
            return bytes.toByteArray();
        }

        private static int typeOf(String name) {
            for (int t = QuorumPacketType.REQUEST; t <= QuorumPacketType.INFORMANDACTIVATE; t++) {
                if (QuorumPacketType.name(t).equals(name)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown packet type " + name);
        }

        private static String format(PeerEffect e) {
            if (e instanceof PeerEffect.SendQuorum s) {
                return "send " + s.toSid() + " " + formatPacket(s.packet());
            } else if (e instanceof PeerEffect.SendSnapshot s) {
                return "send " + s.toSid() + " SNAP zxid=0x" + Long.toHexString(s.zxid()) + " stream="
                        + s.stream().readAll(1 << 16).length + "B";
            } else if (e instanceof PeerEffect.PersistEpochs p) {
                return "persist accepted=" + p.acceptedEpoch() + " current=" + p.currentEpoch();
            } else if (e instanceof PeerEffect.DropPeer d) {
                return "drop " + d.sid() + ": " + d.reason();
            } else if (e instanceof PeerEffect.Established est) {
                return "established epoch=" + est.epoch() + " acked=" + new TreeSet<>(est.ackedBy());
            } else if (e instanceof PeerEffect.Synced synced) {
                return "synced epoch=" + synced.epoch() + " leader=" + synced.leaderSid();
            } else if (e instanceof PeerEffect.LogTxn log) {
                return "log 0x" + Long.toHexString(log.txn().zxid());
            } else if (e instanceof PeerEffect.Commit c) {
                return "commit 0x" + Long.toHexString(c.zxid());
            } else if (e instanceof PeerEffect.Truncate t) {
                return "truncate 0x" + Long.toHexString(t.zxid());
            } else if (e instanceof PeerEffect.InstallSnapshot i) {
                return "install snapshot 0x" + Long.toHexString(i.zxid()) + " nodes=" + i.snapshot().nodes().size();
            }
            return e.toString();
        }

        private static String formatPacket(QuorumPacket p) {
            try {
                return switch (p.type()) {
                    case QuorumPacketType.FOLLOWERINFO, QuorumPacketType.OBSERVERINFO -> QuorumPacketType.name(p.type())
                            + " accepted=" + LearnerHandshake.epochOf(p.zxid()) + " sid="
                            + LearnerHandshake.learnerInfo(p).sid();
                    case QuorumPacketType.LEADERINFO -> "LEADERINFO epoch=" + LearnerHandshake.epochOf(p.zxid())
                            + " version=0x" + Integer.toHexString(LearnerHandshake.leaderProtocolVersion(p));
                    case QuorumPacketType.ACKEPOCH -> "ACKEPOCH current=" + LearnerHandshake.ackedCurrentEpoch(p)
                            + " zxid=0x" + Long.toHexString(p.zxid());
                    case QuorumPacketType.PING -> "PING zxid=0x" + Long.toHexString(p.zxid())
                            + (p.data() == null ? "" : " touches=" + Ping.touches(p).size());
                    case QuorumPacketType.UPTODATE -> "UPTODATE";
                    default -> QuorumPacketType.name(p.type()) + " zxid=0x" + Long.toHexString(p.zxid())
                            + (p.data() == null ? "" : " data=" + p.data().length + "B");
                };
            } catch (PeerProtocolException ex) {
                throw new AssertionError("a role sent a packet that does not decode: " + p, ex);
            }
        }

        private static Set<Long> sids(String csv) {
            Set<Long> out = new TreeSet<>();
            for (String s : csv.split(",")) {
                out.add(Long.parseLong(s));
            }
            return out;
        }

        private static long num(Map<String, String> args, String key) {
            String v = args.get(key);
            if (v == null) {
                return switch (key) {
                    case "version" -> LearnerInfo.PROTOCOL_VERSION;
                    default -> throw new IllegalArgumentException("missing " + key + "= in " + args);
                };
            }
            return v.startsWith("0x") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
        }
    }
}
