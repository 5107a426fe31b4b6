package io.paddock.server.conformance;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The targets a run tests, chosen by {@code -Dpaddock.targets=zookeeper,paddock,paddock-ensemble}
 * (the default). {@code paddock-ensemble} is three Paddock servers with every client on a follower;
 * it adds about 20 s to the conformance suite on a 2-core machine.
 * Each target is one server shared by every test class in the JVM: it starts on first use (so a
 * target that fails to start fails its own tests, not the other target's) and stops at JVM exit.
 * Tests share the servers safely because each works under its own unique path.
 */
public final class Targets {
    public static final String PROPERTY = "paddock.targets";
    private static final String DEFAULT_TARGETS = "zookeeper,paddock,paddock-ensemble";
    private static final Map<String, Supplier<Target>> KNOWN = Map.of(
            "zookeeper", ZooKeeperTarget::new,
            "paddock", PaddockTarget::new,
            // Three Paddock servers; every client talks to a follower.
            "paddock-ensemble", PaddockEnsembleTarget::new,
            // Paddock behind a proxy that records client traffic, to seed the fuzz targets.
            "paddock-recorded", RecordingTarget::new);
    private static final Map<String, SharedTarget> SHARED = new LinkedHashMap<>();

    private Targets() {
    }

    /** The {@code @MethodSource} of every conformance test. */
    public static synchronized Stream<Target> selected() {
        List<String> names = Arrays.stream(System.getProperty(PROPERTY, DEFAULT_TARGETS).split(","))
                .map(String::trim)
                .filter(name -> !name.isEmpty())
                .collect(Collectors.toList());
        return names.stream().map(Targets::shared);
    }

    private static SharedTarget shared(String name) {
        Supplier<Target> factory = KNOWN.get(name);
        if (factory == null) {
            throw new IllegalArgumentException(
                    PROPERTY + ": unknown target '" + name + "', known: " + KNOWN.keySet());
        }
        return SHARED.computeIfAbsent(name, unused -> new SharedTarget(factory.get()));
    }

    /** Starts its delegate on first use and stops it when the JVM exits. */
    private static final class SharedTarget implements Target {
        private final Target delegate;
        private boolean started;
        private Exception startFailure;

        SharedTarget(Target delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public synchronized void start() throws Exception {
            if (startFailure != null) {
                throw new IllegalStateException(name() + " failed to start", startFailure);
            }
            if (started) {
                return;
            }
            try {
                delegate.start();
            } catch (Exception | LinkageError e) {
                startFailure = e instanceof Exception ex ? ex : new IllegalStateException(e);
                throw new IllegalStateException(name() + " failed to start", startFailure);
            }
            started = true;
            Runtime.getRuntime().addShutdownHook(new Thread(this::closeQuietlyAtExit, name() + "-stop"));
        }

        @Override
        public boolean clientsOnAFollower() {
            return delegate.clientsOnAFollower();
        }

        @Override
        public synchronized String connectString() {
            try {
                start();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return delegate.connectString();
        }

        /** Shared targets stop only at JVM exit; a test closing one would break the others. */
        @Override
        public void close() {
        }

        private void closeQuietlyAtExit() {
            try {
                delegate.close();
            } catch (java.io.IOException | RuntimeException e) {
                // At JVM exit there is no one left to tell but stderr.
                System.err.println("stopping " + name() + " failed: " + e);
            }
        }

        @Override
        public String toString() {
            return name();
        }
    }
}
