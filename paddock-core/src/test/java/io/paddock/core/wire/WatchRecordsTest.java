package io.paddock.core.wire;

import static io.paddock.core.wire.WireAsserts.assertSameAsZk;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Proves the watch records (setWatches, setWatches2, addWatch, remove/check watches) match ZooKeeper's. */
class WatchRecordsTest {
    @Test
    void setWatchesMatchesZooKeeper() {
        List<List<String>> lists = Samples.STRING_LISTS;
        for (int i = 0; i < lists.size(); i++) {
            List<String> a = lists.get(i);
            List<String> b = lists.get((i + 1) % lists.size());
            List<String> c = lists.get((i + 2) % lists.size());
            assertSameAsZk(new SetWatches(0x200000005L, a, b, c),
                    new org.apache.zookeeper.proto.SetWatches(0x200000005L, a, b, c),
                    SetWatches::read, org.apache.zookeeper.proto.SetWatches::new);
        }
    }

    @Test
    void setWatches2MatchesZooKeeper() {
        List<List<String>> lists = Samples.STRING_LISTS;
        for (int i = 0; i < lists.size(); i++) {
            List<String> a = lists.get(i);
            List<String> b = lists.get((i + 1) % lists.size());
            List<String> c = lists.get((i + 2) % lists.size());
            List<String> d = lists.get((i + 3) % lists.size());
            List<String> e = lists.get((i + 4) % lists.size());
            for (long zxid : Samples.LONGS) {
                assertSameAsZk(new SetWatches2(zxid, a, b, c, d, e),
                        new org.apache.zookeeper.proto.SetWatches2(zxid, a, b, c, d, e),
                        SetWatches2::read, org.apache.zookeeper.proto.SetWatches2::new);
            }
        }
    }

    @Test
    void pathAndModeRequestsMatchZooKeeper() {
        for (String path : Samples.PATHS) {
            for (int mode : Samples.INTS) {
                assertSameAsZk(new AddWatchRequest(path, mode), new org.apache.zookeeper.proto.AddWatchRequest(path, mode),
                        AddWatchRequest::read, org.apache.zookeeper.proto.AddWatchRequest::new);
                assertSameAsZk(new RemoveWatchesRequest(path, mode),
                        new org.apache.zookeeper.proto.RemoveWatchesRequest(path, mode),
                        RemoveWatchesRequest::read, org.apache.zookeeper.proto.RemoveWatchesRequest::new);
                assertSameAsZk(new CheckWatchesRequest(path, mode),
                        new org.apache.zookeeper.proto.CheckWatchesRequest(path, mode),
                        CheckWatchesRequest::read, org.apache.zookeeper.proto.CheckWatchesRequest::new);
            }
        }
    }
}
