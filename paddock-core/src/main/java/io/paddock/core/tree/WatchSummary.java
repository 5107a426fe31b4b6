package io.paddock.core.tree;

/** The counts `wchs` prints: watching connections, watched paths, total watches. */
public record WatchSummary(int connections, int paths, int watches) {}
