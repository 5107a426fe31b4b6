package io.paddock.server.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.server.ServerConfig;
import io.paddock.server.ServerConfig.ConfigException;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Proves that a wrong value is refused with a message naming both the key and the value, so an
 * operator can find the line in zoo.cfg, and that ConfigException is an IllegalArgumentException.
 */
class BadConfigValueTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "clientPort|-1",
        "clientPort|65536",
        "clientPort|twenty",
        "clientPortAddress|''",
        "tickTime|0",
        "tickTime|2s",
        "tickTime|200000000",
        "maxClientCnxns|-5",
        "minSessionTimeout|-2",
        "maxSessionTimeout|0",
        "forceSync|maybe",
        "extendedTypesEnabled|yes",
        "jute.maxbuffer|1MB",
        "jute.maxbuffer|0",
        "DigestAuthenticationProvider.superDigest|nocolon",
        "zookeeper.DigestAuthenticationProvider.superDigest|super:",
        "znode.container.checkIntervalMs|0",
        "znode.container.maxPerMinute|x",
        "globalOutstandingLimit|0",
        "maxOutstandingRequestsPerConnection|0",
        "handshakeTimeoutMs|-1",
        "snapCount|lots",
        "preAllocSize|-1",
        "autopurge.snapRetainCount|three",
        "autopurge.purgeInterval|-1",
    })
    void wrongValueNamesKeyAndValue(String key, String value) {
        Properties p = new Properties();
        p.setProperty("dataDir", "/d");
        p.setProperty(key, value);
        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromProperties(p));
        assertTrue(e.getMessage().contains(key), e.getMessage());
        assertTrue(e.getMessage().contains("'" + value + "'"), e.getMessage());
        assertTrue(e instanceof IllegalArgumentException);
    }
}
