package io.paddock.core.storage;

/** The result of a complete, verified snapshot decode. */
public record SnapshotSummary(SnapshotHeader header, int sessionCount, int nodeCount) {}
