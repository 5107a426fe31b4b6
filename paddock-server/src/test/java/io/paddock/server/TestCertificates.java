package io.paddock.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Key and trust stores for TLS tests, made with the JDK's own keytool (a real tool run as a
 * process; Java has no API to make a certificate): a server certificate for 127.0.0.1 and
 * localhost, two client certificates (only the first trusted by the server), each in PKCS12, the
 * server's also in JKS and PEM.
 */
public final class TestCertificates {
    public static final String PASSWORD = "test-pass";
    public static final String CLIENT_SUBJECT = "CN=client-one,OU=tests,O=paddock";
    static final String STRANGER_SUBJECT = "CN=stranger,O=elsewhere";

    final Path dir;
    public final Path serverKeys;
    final Path serverKeysJks;
    /** The server's key and certificate in one PEM file (a PEM key store, as ZooKeeper reads one). */
    public final Path serverKeysPem;
    /** The server's certificate in PEM: what a client trusts. */
    public final Path serverCertPem;
    public final Path serverTrust;
    /** The client's certificate in PEM: a PEM trust store for the server. */
    public final Path clientCertPem;
    /** The client's private key (unencrypted PKCS#8 PEM). */
    public final Path clientKeyPem;
    final Path clientKeys;
    final Path clientTrust;
    final Path strangerKeys;
    /** A client key whose certificate a test CA issued (a chain of two, not a trust anchor itself). */
    final Path issuedClientKeys;
    /** A trust store holding only that CA's certificate. */
    final Path caTrust;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.serverKeys = dir.resolve("server.p12");
        this.serverKeysJks = dir.resolve("server.jks");
        this.serverTrust = dir.resolve("server-trust.p12");
        this.clientKeys = dir.resolve("client.p12");
        this.clientTrust = dir.resolve("client-trust.p12");
        this.strangerKeys = dir.resolve("stranger.p12");
        this.serverKeysPem = dir.resolve("server.pem");
        this.serverCertPem = dir.resolve("server-cert.pem");
        this.clientCertPem = dir.resolve("client-cert.pem");
        this.clientKeyPem = dir.resolve("client-key.pem");
        this.issuedClientKeys = dir.resolve("issued.p12");
        this.caTrust = dir.resolve("ca-trust.p12");
    }

    public static TestCertificates make(Path dir) throws Exception {
        Files.createDirectories(dir);
        TestCertificates c = new TestCertificates(dir);
        c.keyPair(c.serverKeys, "server", "CN=paddock-server", "PKCS12", "SAN=IP:127.0.0.1,DNS:localhost");
        c.keyPair(c.clientKeys, "client", CLIENT_SUBJECT, "PKCS12", null);
        c.keyPair(c.strangerKeys, "stranger", STRANGER_SUBJECT, "PKCS12", null);
        Path serverCert = dir.resolve("server.crt");
        Path clientCert = dir.resolve("client.crt");
        c.keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", c.serverKeys.toString(), "-storepass", PASSWORD,
                "-file", serverCert.toString());
        c.keytool("-exportcert", "-rfc", "-alias", "client", "-keystore", c.clientKeys.toString(), "-storepass", PASSWORD,
                "-file", clientCert.toString());
        c.keytool("-importcert", "-noprompt", "-alias", "server", "-file", serverCert.toString(), "-keystore",
                c.clientTrust.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        c.keytool("-importcert", "-noprompt", "-alias", "client", "-file", clientCert.toString(), "-keystore",
                c.serverTrust.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        c.keytool("-importkeystore", "-srckeystore", c.serverKeys.toString(), "-srcstoretype", "PKCS12", "-srcstorepass",
                PASSWORD, "-destkeystore", c.serverKeysJks.toString(), "-deststoretype", "JKS", "-deststorepass", PASSWORD);
        c.issueFromCa();
        c.writePem(c.serverKeys, "server", c.serverKeysPem, true, true);
        c.writePem(c.serverKeys, "server", c.serverCertPem, false, true);
        c.writePem(c.clientKeys, "client", c.clientCertPem, false, true);
        c.writePem(c.clientKeys, "client", c.clientKeyPem, true, false);
        return c;
    }

    /** Another server key store (subject {@code subject}, for 127.0.0.1), as a certificate rotation makes one. */
    public Path anotherServerKeys(String subject) throws IOException, InterruptedException {
        Path store = dir.resolve("server-" + System.nanoTime() + ".p12");
        keyPair(store, "server", subject, "PKCS12", "SAN=IP:127.0.0.1,DNS:localhost");
        return store;
    }

    /** A CA, a client key pair whose certificate it signs (naming no CRL or OCSP source), and a CA-only trust store. */
    private void issueFromCa() throws IOException, InterruptedException {
        Path ca = dir.resolve("ca.p12");
        Path caCert = dir.resolve("ca.crt");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=test-ca",
                "-validity", "3", "-ext", "bc:c", "-keystore", ca.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD,
                "-file", caCert.toString());
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCert.toString(), "-keystore",
                caTrust.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        issue(issuedClientKeys, "CN=issued-client", null);
    }

    /**
     * A PKCS12 key store whose certificate (subject {@code subject}, subject alternative names
     * {@code san} in keytool's {@code -ext} form, or none) the test CA signed, the CA's certificate
     * after it: trusted by {@link #caTrust()}.
     */
    public Path issue(Path store, String subject, String san) throws IOException, InterruptedException {
        Path ca = dir.resolve("ca.p12");
        Path caCert = dir.resolve("ca.crt");
        Path request = dir.resolve("issued.csr");
        Path issuedCert = dir.resolve("issued.crt");
        keyPair(store, "issued", subject, "PKCS12", null);
        keytool("-certreq", "-alias", "issued", "-keystore", store.toString(), "-storepass", PASSWORD,
                "-file", request.toString());
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(),
                "-storepass", PASSWORD, "-infile", request.toString(), "-outfile", issuedCert.toString(), "-validity", "3"));
        if (san != null) {
            gencert.add("-ext");
            gencert.add(san);
        }
        keytool(gencert.toArray(new String[0]));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCert.toString(), "-keystore",
                store.toString(), "-storepass", PASSWORD);
        keytool("-importcert", "-noprompt", "-alias", "issued", "-file", issuedCert.toString(), "-keystore",
                store.toString(), "-storepass", PASSWORD);
        return store;
    }

    /** A trust store holding only the test CA's certificate. */
    public Path caTrust() {
        return caTrust;
    }

    /** A trust store holding the server certificate ({@link #serverKeys}) alone. */
    public Path serverCertTrust() {
        return clientTrust;
    }

    /** A key store the server trust stores do not trust (self-signed, subject {@link #STRANGER_SUBJECT}). */
    public Path strangerKeys() {
        return strangerKeys;
    }

    /** A PKCS12 entry's private key (PKCS#8) and/or certificate as PEM text. */
    private void writePem(Path p12, String alias, Path out, boolean key, boolean cert) throws Exception {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(p12)) {
            store.load(in, PASSWORD.toCharArray());
        }
        StringBuilder pem = new StringBuilder();
        if (key) {
            pem.append(pem("PRIVATE KEY", store.getKey(alias, PASSWORD.toCharArray()).getEncoded()));
        }
        if (cert) {
            pem.append(pem("CERTIFICATE", store.getCertificate(alias).getEncoded()));
        }
        Files.writeString(out, pem.toString(), StandardCharsets.US_ASCII);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private void keyPair(Path store, String alias, String subject, String type, String san)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", subject, "-validity", "3", "-keystore", store.toString(), "-storetype", type,
                "-storepass", PASSWORD, "-keypass", PASSWORD));
        if (san != null) {
            args.add("-ext");
            args.add(san);
        }
        keytool(args.toArray(new String[0]));
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Path output = dir.resolve("keytool.out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool did not finish in 60 s: " + command);
        }
        if (p.exitValue() != 0) {
            throw new IOException("keytool failed (" + p.exitValue() + "): " + command + "\n"
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
    }
}
