package io.paddock.server.durability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one storm client was told succeeded, across every round: the writes the server
 * acknowledged and so must still be there after any crash. A write whose reply never came
 * (the server died first) may or may not have happened; the model records nothing for it but
 * stops trusting what it might have changed. Its owner thread writes it; the checker reads it
 * after that thread has ended.
 */
final class ClientModel {
    final int index;
    final String root;
    final String seqParent;
    final String multiParent;
    final String counter;
    final String multiCounter;

    /** Acknowledged sequential creates not deleted since (or whose delete was never answered): path -> data. */
    final Map<String, byte[]> created = new LinkedHashMap<>();
    /** Acknowledged deletes. */
    final Set<String> deleted = new LinkedHashSet<>();
    /** Creates whose delete got no answer: they may exist or not. */
    final Set<String> uncertain = new LinkedHashSet<>();
    /** The highest sequence number the server handed out in an acknowledged create. */
    long seqMax = -1;
    int counterAcked;
    int counterVersionAcked;
    int multiAcked;

    ClientModel(String base, int index) {
        this.index = index;
        this.root = base + "/c" + index;
        this.seqParent = root + "/seq";
        this.multiParent = root + "/multi";
        this.counter = root + "/counter";
        this.multiCounter = root + "/mcounter";
    }

    List<String> parents() {
        return List.of(root, seqParent, multiParent);
    }

    void createAcked(String path, byte[] data) {
        created.put(path, data);
        seqMax = Math.max(seqMax, sequenceOf(path));
    }

    /** Called before a delete is sent: until it is answered the node's fate is unknown. */
    void deleteSent(String path) {
        created.remove(path);
        uncertain.add(path);
    }

    void deleteAcked(String path) {
        uncertain.remove(path);
        deleted.add(path);
    }

    List<String> deletable() {
        return new ArrayList<>(created.keySet());
    }

    static long sequenceOf(String path) {
        return Long.parseLong(path.substring(path.length() - 10));
    }

    static String multiName(String side, int k) {
        return side + "-" + k;
    }
}
