package io.paddock.core.wire;

import java.util.Arrays;
import java.util.List;

/** Test helper: values that stress the encoding (nulls, empties, unicode, extreme numbers). */
final class Samples {
    private Samples() {}

    static final List<String> PATHS = Arrays.asList(
            null, "", "/", "/app/lock-0000000042", "/ünïcødé/日本語/ключ", "/emoji/😀", "/nul\u0000inside");

    static final List<byte[]> DATAS = Arrays.asList(null, new byte[0], allByteValues(), new byte[300]);

    static final List<List<Acl>> ACL_LISTS = Arrays.asList(
            null,
            List.of(),
            Acl.OPEN,
            List.of(new Acl(Acl.READ | Acl.ADMIN, new Id("digest", "bob:x8Hq4oBQRQ8Mh0CyJr2xPqWJ4CU=")),
                    new Acl(Acl.ALL, new Id("ip", "10.0.0.0/8")),
                    new Acl(0, new Id(null, null))));

    static final List<List<String>> STRING_LISTS = Arrays.asList(
            null, List.of(), List.of("a"), List.of("lock-0000000001", "ünï", "😀"), Arrays.asList("x", null, ""));

    static final List<Stat> STATS = List.of(
            Stat.EMPTY,
            new Stat(0x100000001L, 0x100000002L, 1_700_000_000_000L, 1_700_000_000_001L, 3, -1, 7,
                    0x1234_5678_9abc_def0L, 11, 2, 0x100000003L),
            new Stat(Long.MAX_VALUE, Long.MIN_VALUE, -1, Long.MAX_VALUE, Integer.MAX_VALUE,
                    Integer.MIN_VALUE, -1, -1L, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MIN_VALUE));

    static final int[] INTS = {0, 1, -1, 42, Integer.MAX_VALUE, Integer.MIN_VALUE};
    static final long[] LONGS = {0, 1, -1, 0x1_0000_0001L, Long.MAX_VALUE, Long.MIN_VALUE};
    static final boolean[] BOOLS = {false, true};

    private static byte[] allByteValues() {
        byte[] b = new byte[256];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }
}
