package io.paddock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code paddock cds-training}, the run bin/paddock archives the classes of: it serves its one
 * session to the end (every request answered, or the run fails) and exits 0.
 */
class CdsTrainingTest {
    @Test
    void theTrainingRunServesItsSessionAndSucceeds() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"cds-training"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(Main.EXIT_OK, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("class-data training done"),
                out.toString(StandardCharsets.UTF_8));
    }
}
