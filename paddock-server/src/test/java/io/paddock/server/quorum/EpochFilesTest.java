package io.paddock.server.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.server.ServerConfig.ConfigException;
import io.paddock.server.storage.StartupException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the epoch files and myid are read and written as ZooKeeper does: decimal text, missing
 * means the default (0 for empty data), a write replaces the file atomically and leaves no
 * temporary file, and a damaged file (not a number, current above accepted) refuses start-up
 * naming the file. The myid file: first line, whitespace trimmed, a clear error naming the file.
 */
class EpochFilesTest {
    @TempDir
    Path dir;

    @Test
    void missingFilesReadAsTheDefault() throws Exception {
        assertEquals(new EpochFiles.Epochs(0, 0), new EpochFiles(dir).read(0));
        assertEquals(new EpochFiles.Epochs(7, 7), new EpochFiles(dir).read(7));
    }

    @Test
    void writtenEpochsAreDecimalTextAndReadBack() throws Exception {
        EpochFiles files = new EpochFiles(dir);
        files.read(0);
        files.write(5, 4);
        assertEquals("5", Files.readString(dir.resolve("acceptedEpoch")));
        assertEquals("4", Files.readString(dir.resolve("currentEpoch")));
        files.write(6, 4);
        assertEquals(new EpochFiles.Epochs(6, 4), new EpochFiles(dir).read(0));
        assertFalse(Files.exists(dir.resolve("acceptedEpoch.tmp")));
        assertFalse(Files.exists(dir.resolve("currentEpoch.tmp")));
    }

    @Test
    void zooKeepersFilesWithANewlineAreRead() throws Exception {
        Files.writeString(dir.resolve("acceptedEpoch"), "12\n");
        Files.writeString(dir.resolve("currentEpoch"), " 11 \n");
        assertEquals(new EpochFiles.Epochs(12, 11), new EpochFiles(dir).read(0));
    }

    @Test
    void aGarbledFileRefusesToStartNamingIt() throws Exception {
        Files.writeString(dir.resolve("currentEpoch"), "x1");
        StartupException e = assertThrows(StartupException.class, () -> new EpochFiles(dir).read(0));
        assertTrue(e.getMessage().contains(dir.resolve("currentEpoch").toString()), e.getMessage());
    }

    @Test
    void currentAboveAcceptedRefusesToStart() throws Exception {
        Files.writeString(dir.resolve("acceptedEpoch"), "3");
        Files.writeString(dir.resolve("currentEpoch"), "4");
        StartupException e = assertThrows(StartupException.class, () -> new EpochFiles(dir).read(0));
        assertTrue(e.getMessage().contains("currentEpoch"), e.getMessage());
    }

    @Test
    void myIdIsTheTrimmedFirstLine() throws Exception {
        Files.writeString(dir.resolve("myid"), "  3 \nignored");
        assertEquals(3, MyIdFile.read(dir));
    }

    @Test
    void aMissingOrNonNumericMyIdNamesTheFile() throws Exception {
        ConfigException missing = assertThrows(ConfigException.class, () -> MyIdFile.read(dir));
        assertTrue(missing.getMessage().contains(dir.resolve("myid").toString()), missing.getMessage());
        Files.writeString(dir.resolve("myid"), "one");
        ConfigException bad = assertThrows(ConfigException.class, () -> MyIdFile.read(dir));
        assertTrue(bad.getMessage().contains(dir.resolve("myid") + ": server id 'one' is not a number"),
                bad.getMessage());
    }
}
