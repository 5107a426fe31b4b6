package io.paddock.sim;

/** A broken invariant or a missed liveness bound; the message names the seed and how to replay it. */
public final class SimulationFailure extends AssertionError {
    private static final long serialVersionUID = 1L;

    public SimulationFailure(String message) {
        super(message);
    }

    public SimulationFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
