package io.paddock.core.storage;

/** What a snapshot covers: every transaction up to {@code lastZxid}, taken at {@code timeMs}. */
public record SnapshotHeader(int version, long lastZxid, long timeMs) {}
