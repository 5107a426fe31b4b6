package io.paddock.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What a run did, as lines. A full trace (replaying one seed) keeps every event and effect; a
 * normal run keeps the observations (votes, decisions, role changes, epochs, faults) and only the
 * last {@code tailLinesMax} of them, for the failure message.
 */
public final class Trace {
    private final boolean full;
    private final int tailLinesMax;
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private final List<String> all = new ArrayList<>();
    private final String replayCommand;

    public Trace(boolean full, int tailLinesMax, String replayCommand) {
        this.full = full;
        this.tailLinesMax = tailLinesMax;
        this.replayCommand = replayCommand;
    }

    /** True when every event and effect is recorded (replay). */
    public boolean full() {
        return full;
    }

    public void line(String line) {
        if (full) {
            all.add(line);
        } else {
            if (tail.size() == tailLinesMax) {
                tail.poll();
            }
            tail.add(line);
        }
    }

    public String replayCommand() {
        return replayCommand;
    }

    /** The last lines kept, one per line. */
    public String tail() {
        List<String> lines = full ? all.subList(Math.max(0, all.size() - tailLinesMax), all.size()) : List.copyOf(tail);
        return String.join("\n", lines);
    }

    /** Writes the whole trace (full mode) to {@code file}, after what is there when {@code append}. */
    public void writeTo(Path file, boolean append) {
        try {
            Files.createDirectories(file.getParent());
            if (append) {
                Files.write(file, full ? all : List.copyOf(tail), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } else {
                Files.write(file, full ? all : List.copyOf(tail));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the trace to " + file, e);
        }
    }
}
