package io.paddock.server;

/** Placeholder; replaced by the zoo.cfg parser. */
public final class ServerConfig {
}
