package io.paddock.server.quorum;

import io.paddock.server.net.ClientSasl.SaslConfigException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.sasl.AuthorizeCallback;
import javax.security.sasl.RealmCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

/**
 * SASL between the servers of an ensemble (zoo.cfg's {@code quorum.auth.*}), DIGEST-MD5, as
 * ZooKeeper 3.9's SaslQuorumAuthServer and SaslQuorumAuthLearner run it: the JAAS section {@code
 * QuorumServer} lists the servers that may connect ({@code user_<name>="<password>"} of ZooKeeper's
 * DigestLoginModule), {@code QuorumLearner} says who this server is when it connects ({@code
 * username}, {@code password}); protocol {@code zookeeper-quorum}, server name {@code
 * zk-quorum-sasl-md5}. Both sections must be there once {@code quorum.auth.enableSasl} is on, as in
 * ZooKeeper. Kerberos between servers is not supported: such a section refuses the start.
 *
 * <p>Where the exchange runs: {@link QuorumTransport}, on the connection, right after the
 * election connection's initial message, or first on a learner's connection.
 */
public final class QuorumSasl {
    public static final String DIGEST_LOGIN_MODULE = "org.apache.zookeeper.server.auth.DigestLoginModule";
    static final String MECHANISM = "DIGEST-MD5";
    static final String PROTOCOL = "zookeeper-quorum";
    static final String SERVER_NAME = "zk-quorum-sasl-md5";
    private static final String USER_PREFIX = "user_";

    /**
     * zoo.cfg's quorum.auth keys.
     *
     * @param learnerRequired {@code quorum.auth.learnerRequireSasl}: this server authenticates the
     *     connections it opens (without it, it opens them as without SASL)
     * @param serverRequired {@code quorum.auth.serverRequireSasl}: a connection that does not
     *     authenticate is closed (without it, it is taken; one whose exchange fails is taken too)
     */
    public record Settings(boolean enabled, boolean learnerRequired, boolean serverRequired, String learnerSection,
                           String serverSection) {
        public static final Settings OFF = new Settings(false, false, false, "QuorumLearner", "QuorumServer");
    }

    private final Settings settings;
    private final Map<String, String> servers;
    private final String username;
    private final String password;

    private QuorumSasl(Settings settings, Map<String, String> servers, String username, String password) {
        this.settings = settings;
        this.servers = Map.copyOf(servers);
        this.username = username;
        this.password = password;
    }

    public Settings settings() {
        return settings;
    }

    /** Reads both sections; null where quorum.auth.enableSasl is off. */
    public static QuorumSasl load(Settings settings, Supplier<Configuration> jaas) {
        if (!settings.enabled()) {
            return null;
        }
        Map<String, String> servers = new HashMap<>();
        for (AppConfigurationEntry entry : section(settings.serverSection(), jaas)) {
            for (Map.Entry<String, ?> option : entry.getOptions().entrySet()) {
                if (option.getKey().startsWith(USER_PREFIX) && option.getValue() instanceof String pw) {
                    servers.put(option.getKey().substring(USER_PREFIX.length()), pw);
                }
            }
        }
        String user = null;
        String pw = null;
        for (AppConfigurationEntry entry : section(settings.learnerSection(), jaas)) {
            if (entry.getOptions().get("username") instanceof String u) {
                user = u;
            }
            if (entry.getOptions().get("password") instanceof String p) {
                pw = p;
            }
        }
        if (settings.learnerRequired() && (user == null || pw == null)) {
            throw new SaslConfigException("JAAS section '" + settings.learnerSection() + "' has no username and"
                    + " password for this server to authenticate with (quorum.auth.learnerRequireSasl=true)");
        }
        QuorumSasl sasl = new QuorumSasl(settings, servers, user, pw);
        try {
            sasl.newServer().dispose();
        } catch (SaslException e) {
            throw new SaslConfigException("this JVM cannot run SASL " + MECHANISM + " between servers: " + e);
        }
        return sasl;
    }

    private static AppConfigurationEntry[] section(String name, Supplier<Configuration> jaas) {
        AppConfigurationEntry[] entries;
        try {
            entries = jaas.get().getAppConfigurationEntry(name);
        } catch (SecurityException | IllegalArgumentException e) {
            throw new SaslConfigException("quorum.auth.enableSasl=true, but the JAAS configuration cannot be read ("
                    + e.getMessage() + "): give it with -Djava.security.auth.login.config");
        }
        if (entries == null || entries.length == 0) {
            throw new SaslConfigException("quorum.auth.enableSasl=true, but the JAAS configuration section '" + name
                    + "' could not be found (ZooKeeper refuses this too)");
        }
        for (AppConfigurationEntry entry : entries) {
            if (!DIGEST_LOGIN_MODULE.equals(entry.getLoginModuleName())) {
                throw new SaslConfigException("JAAS section '" + name + "' names login module "
                        + entry.getLoginModuleName() + ": between servers Paddock supports " + DIGEST_LOGIN_MODULE
                        + " (DIGEST-MD5) only, not Kerberos. Keep ZooKeeper here.");
            }
        }
        return entries;
    }

    /** The accepting side's half of one exchange (SaslQuorumServerCallbackHandler's answers). */
    SaslServer newServer() throws SaslException {
        String[] user = new String[1];
        CallbackHandler handler = callbacks -> {
            for (Callback c : callbacks) {
                if (c instanceof NameCallback nc) {
                    if (servers.get(nc.getDefaultName()) != null) {
                        nc.setName(nc.getDefaultName());
                        user[0] = nc.getDefaultName();
                    }
                } else if (c instanceof PasswordCallback pc) {
                    if (user[0] != null) {
                        pc.setPassword(servers.get(user[0]).toCharArray());
                    }
                } else if (c instanceof RealmCallback rc) {
                    rc.setText(rc.getDefaultText());
                } else if (c instanceof AuthorizeCallback ac) {
                    // ZooKeeper: authorized where the authentication and authorization ids agree.
                    boolean same = ac.getAuthenticationID().equals(ac.getAuthorizationID());
                    ac.setAuthorized(same);
                    if (same) {
                        ac.setAuthorizedID(ac.getAuthorizationID());
                    }
                }
            }
        };
        SaslServer server = Sasl.createSaslServer(MECHANISM, PROTOCOL, SERVER_NAME, null, handler);
        if (server == null) {
            throw new SaslException("no " + MECHANISM + " SaslServer in this JVM");
        }
        return server;
    }

    /** The connecting side's half (as the QuorumLearner section's user). */
    SaslClient newClient() throws SaslException {
        CallbackHandler handler = callbacks -> {
            for (Callback c : callbacks) {
                if (c instanceof NameCallback nc) {
                    nc.setName(username);
                } else if (c instanceof PasswordCallback pc) {
                    pc.setPassword(password.toCharArray());
                } else if (c instanceof RealmCallback rc) {
                    rc.setText(rc.getDefaultText());
                }
            }
        };
        SaslClient client = Sasl.createSaslClient(new String[] {MECHANISM}, username, PROTOCOL, SERVER_NAME, null,
                handler);
        if (client == null) {
            throw new SaslException("no " + MECHANISM + " SaslClient in this JVM");
        }
        return client;
    }
}
