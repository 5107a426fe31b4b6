package io.paddock.core.storage;

/** The header of a log file: format version and the zxid of the file's first record. */
public record LogHeader(int version, long baseZxid) {}
