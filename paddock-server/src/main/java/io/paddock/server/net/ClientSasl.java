package io.paddock.server.net;

import io.paddock.core.SaslStep;
import io.paddock.core.tree.AclCheck;
import io.paddock.core.wire.Code;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.sasl.AuthorizeCallback;
import javax.security.sasl.RealmCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SASL for clients, as ZooKeeper 3.9 runs it (ServerCnxnFactory.configureSaslLogin,
 * ZooKeeperSaslServer, SaslServerCallbackHandler, ZooKeeperServer.processSasl): the JAAS section
 * {@code Server} (or {@code zookeeper.sasl.serverconfig}) of the file named by {@code
 * -Djava.security.auth.login.config} either lists users as {@code user_<name>="<password>"}
 * options of ZooKeeper's DigestLoginModule, and each connection that sends a sasl packet gets a
 * JDK DIGEST-MD5 SaslServer (protocol {@code zookeeper}, server name {@code zk-sasl-md5}); or it
 * logs the server in with the JDK's Krb5LoginModule (a keytab), and each connection gets a GSSAPI
 * SaslServer for the service and host of the server's principal ({@code zookeeper/host@REALM}),
 * made as that subject. As in ZooKeeper, a section that logs in with Kerberos offers GSSAPI only.
 * The exchange runs on the connection's I/O thread; the core gets each step's outcome ({@link
 * SaslStep}) in the connection's order and adds the proven id as {@code sasl:<id>}.
 *
 * <p>A login module of another class refuses the start (Paddock loads no classes). The Kerberos
 * login is made once, at start: accepting clients needs only the keytab's keys, not a ticket, so
 * nothing is renewed.
 */
public final class ClientSasl {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSasl.class);
    /** The provider class whose name in {@code authProvider.N} makes {@code sasl} ACL entries valid. */
    public static final String PROVIDER = "org.apache.zookeeper.server.auth.SASLAuthenticationProvider";
    /** The login module of ZooKeeper's DIGEST-MD5 JAAS sections. */
    public static final String DIGEST_LOGIN_MODULE = "org.apache.zookeeper.server.auth.DigestLoginModule";
    private static final String KERBEROS_LOGIN_MODULE = "com.sun.security.auth.module.Krb5LoginModule";
    /** The JAAS section ZooKeeper's server reads unless {@code zookeeper.sasl.serverconfig} names another. */
    public static final String DEFAULT_SECTION = "Server";
    static final String MECHANISM = "DIGEST-MD5";
    static final String KERBEROS_MECHANISM = "GSSAPI";
    static final String PROTOCOL = "zookeeper";
    static final String SERVER_NAME = "zk-sasl-md5";
    private static final String USER_PREFIX = "user_";

    /**
     * What zoo.cfg (or {@code -Dzookeeper.<key>}) says about SASL clients.
     *
     * @param section the JAAS section ({@code sasl.serverconfig}, default {@code Server})
     * @param sectionNamed {@code sasl.serverconfig} was set: a JAAS configuration that cannot be read is then an error
     * @param superUsers the ids that are super users once proven ({@code superUser}, {@code superUser.*})
     * @param superPassword {@code SASLAuthenticationProvider.superPassword}: the password of user
     *     {@code super} (who must still be listed), or null
     * @param allowFailedClients {@code allowSaslFailedClients}: a failed exchange keeps the connection
     *     (unauthenticated) where SASL is not required
     * @param required SASL is required ({@code sessionRequireClientSASLAuth}, or sasl among {@code
     *     enforce.auth.schemes}): a failed exchange is answered SESSIONCLOSEDREQUIRESASLAUTH
     * @param removeHost {@code kerberos.removeHostFromPrincipal}
     * @param removeRealm {@code kerberos.removeRealmFromPrincipal}
     */
    public record Settings(String section, boolean sectionNamed, List<String> superUsers, String superPassword,
                           boolean allowFailedClients, boolean required, boolean removeHost, boolean removeRealm) {
        public Settings {
            superUsers = List.copyOf(superUsers);
        }

        /** ZooKeeper's defaults. */
        public static final Settings DEFAULTS = new Settings(DEFAULT_SECTION, false, List.of(), null, false, false,
                false, false);
    }

    /** A JAAS configuration the server cannot use (for clients or between servers); the start stops with this message. */
    public static final class SaslConfigException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public SaslConfigException(String message) {
            super(message);
        }
    }

    private final Settings settings;
    private final Map<String, String> credentials;
    private final String defaultRealm;
    /** The server's Kerberos login, or null for DIGEST-MD5. */
    private final javax.security.auth.Subject subject;
    /** The service and host of the server's Kerberos principal (service/host@REALM); null for DIGEST-MD5. */
    private final String service;
    private final String host;

    private ClientSasl(Settings settings, Map<String, String> credentials, String defaultRealm,
                       javax.security.auth.Subject subject, String service, String host) {
        this.settings = settings;
        this.credentials = Map.copyOf(credentials);
        this.defaultRealm = defaultRealm;
        this.subject = subject;
        this.service = service;
        this.host = host;
    }

    /** The mechanism clients must use: GSSAPI where the server logged in with Kerberos, else DIGEST-MD5. */
    public String mechanism() {
        return subject != null ? KERBEROS_MECHANISM : MECHANISM;
    }

    /**
     * Reads the JAAS section as ZooKeeper's configureSaslLogin does; null where there is none (no
     * SASL then: a client's sasl packet is answered OK with no token, as ZooKeeper answers it without
     * a login). A configuration that cannot be read is an error only where a JAAS file or the
     * section was named, as in ZooKeeper. {@code jaasFile}: the {@code java.security.auth.login.config}
     * property, or null.
     */
    public static ClientSasl load(Settings settings, String jaasFile, Supplier<Configuration> jaas) {
        AppConfigurationEntry[] entries = null;
        RuntimeException unreadable = null;
        try {
            entries = jaas.get().getAppConfigurationEntry(settings.section());
        } catch (SecurityException | IllegalArgumentException e) {
            unreadable = e;
        }
        if (entries == null || entries.length == 0) {
            if (unreadable != null && (jaasFile != null || settings.sectionNamed())) {
                throw new SaslConfigException("No JAAS configuration section named '" + settings.section()
                        + "' was found" + (jaasFile != null ? " in '" + jaasFile + "'" : "") + ": " + unreadable.getMessage());
            }
            if (jaasFile != null) {
                LOG.warn("the JAAS configuration {} has no section '{}': clients cannot authenticate with SASL",
                        jaasFile, settings.section());
            }
            return null;
        }
        Map<String, String> credentials = new HashMap<>();
        List<AppConfigurationEntry> kerberos = new java.util.ArrayList<>();
        for (AppConfigurationEntry entry : entries) {
            String module = entry.getLoginModuleName();
            if (KERBEROS_LOGIN_MODULE.equals(module)) {
                kerberos.add(entry);
                continue;
            }
            if (!DIGEST_LOGIN_MODULE.equals(module)) {
                throw new SaslConfigException("JAAS section '" + settings.section() + "' names login module " + module
                        + ", which Paddock does not have (it loads no classes); it supports " + DIGEST_LOGIN_MODULE
                        + " and " + KERBEROS_LOGIN_MODULE);
            }
            for (Map.Entry<String, ?> option : entry.getOptions().entrySet()) {
                if (option.getKey().startsWith(USER_PREFIX) && option.getValue() instanceof String password) {
                    credentials.put(option.getKey().substring(USER_PREFIX.length()), password);
                }
            }
        }
        ClientSasl sasl = kerberos.isEmpty()
                ? new ClientSasl(settings, credentials, defaultRealm(), null, null, null)
                : kerberosLogin(settings, credentials, kerberos);
        try {
            sasl.newExchange().dispose();
        } catch (SaslException | RuntimeException e) {
            throw new SaslConfigException("this server cannot run SASL " + sasl.mechanism() + ": " + e);
        }
        if (sasl.subject != null) {
            LOG.info("SASL for clients: {} as {}/{} from JAAS section '{}'", KERBEROS_MECHANISM, sasl.service, sasl.host,
                    settings.section());
        } else {
            LOG.info("SASL for clients: {} from JAAS section '{}' ({} users)", MECHANISM, settings.section(),
                    credentials.size());
        }
        return sasl;
    }

    /**
     * Logs the server in with the section's Krb5LoginModule entries (its DigestLoginModule ones,
     * ZooKeeper's classes, are not run: with a Kerberos principal ZooKeeper offers GSSAPI only),
     * as ZooKeeper's Login does at start; the principal must be {@code service/host@REALM}.
     */
    private static ClientSasl kerberosLogin(Settings settings, Map<String, String> credentials,
                                            List<AppConfigurationEntry> entries) {
        AppConfigurationEntry[] only = entries.toArray(new AppConfigurationEntry[0]);
        Configuration krb5Only = new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return settings.section().equals(name) ? only : null;
            }
        };
        javax.security.auth.Subject subject = new javax.security.auth.Subject();
        try {
            new javax.security.auth.login.LoginContext(settings.section(), subject, callbacks -> {
                throw new javax.security.auth.callback.UnsupportedCallbackException(callbacks[0],
                        "the server logs in without prompting (a keytab)");
            }, krb5Only).login();
        } catch (javax.security.auth.login.LoginException e) {
            throw new SaslConfigException("the Kerberos login of JAAS section '" + settings.section() + "' failed, so"
                    + " this server cannot authenticate itself to clients: " + e.getMessage());
        }
        java.util.Set<javax.security.auth.kerberos.KerberosPrincipal> principals =
                subject.getPrincipals(javax.security.auth.kerberos.KerberosPrincipal.class);
        if (principals.isEmpty()) {
            throw new SaslConfigException("the Kerberos login of JAAS section '" + settings.section()
                    + "' gave no principal");
        }
        String name = principals.iterator().next().getName();
        Matcher m = AclCheck.KERBEROS_NAME.matcher(name);
        if (!m.matches() || m.group(3) == null) {
            throw new SaslConfigException("the server's Kerberos principal " + name + " is not service/host@REALM"
                    + " (zookeeper/host.example.com@EXAMPLE.COM, say), which GSSAPI needs");
        }
        return new ClientSasl(settings, credentials, defaultRealm(), subject, m.group(1), m.group(3));
    }

    /** The Kerberos default realm (krb5.conf's), or "" where there is none, as ZooKeeper's KerberosName takes it. */
    private static String defaultRealm() {
        try {
            return new javax.security.auth.kerberos.KerberosPrincipal("paddock").getRealm();
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** One connection's exchange; {@link #dispose} it when the connection closes. */
    public Exchange newExchange() throws SaslException {
        Handler handler = new Handler();
        SaslServer server;
        if (subject == null) {
            server = Sasl.createSaslServer(MECHANISM, PROTOCOL, SERVER_NAME, null, handler);
        } else {
            // Made as the server's subject: the GSSAPI server takes its keys from it when made.
            try {
                server = javax.security.auth.Subject.doAs(subject,
                        (java.security.PrivilegedExceptionAction<SaslServer>) () ->
                                Sasl.createSaslServer(KERBEROS_MECHANISM, service, host, null, handler));
            } catch (java.security.PrivilegedActionException e) {
                throw e.getException() instanceof SaslException se ? se
                        : new SaslException("cannot make a GSSAPI SaslServer: " + e.getException(), e.getException());
            }
        }
        if (server == null) {
            throw new SaslException("no " + mechanism() + " SaslServer in this JVM");
        }
        return new Exchange(server);
    }

    /**
     * One client token, evaluated: the next challenge, the proven id once the exchange is
     * complete, or (where it fails) the error ZooKeeper answers with. {@code peer} names the client
     * in the log.
     */
    public SaslStep evaluate(Exchange exchange, byte[] token, String peer) {
        try {
            byte[] challenge = exchange.server.evaluateResponse(token);
            if (!exchange.server.isComplete()) {
                return SaslStep.next(challenge);
            }
            String id = exchange.server.getAuthorizationID();
            // An empty id is never a super user (ZooKeeper's isSaslSuperUser), whatever superUser says.
            return SaslStep.complete(challenge, id, !id.isEmpty() && settings.superUsers().contains(id));
        } catch (SaslException | RuntimeException e) {
            // A RuntimeException too: a name KerberosName refuses (IllegalArgumentException), which
            // ZooKeeper meets outside its catch and closes the connection on without an answer; it
            // is answered as a failure here. (A token after the exchange completed is a
            // SaslException from the JDK's servers: AUTHFAILED, as in ZooKeeper.)
            LOG.warn("client {} failed to SASL authenticate: {}", peer, e.toString());
            if (settings.allowFailedClients() && !settings.required()) {
                LOG.warn("keeping the connection of {} despite its SASL failure (allowSaslFailedClients)", peer);
                return SaslStep.next(null);
            }
            return SaslStep.failed(settings.required() ? Code.SESSION_CLOSED_REQUIRE_SASL_AUTH : Code.AUTH_FAILED);
        }
    }

    /** A connection's SaslServer. */
    public static final class Exchange {
        private final SaslServer server;

        private Exchange(SaslServer server) {
            this.server = server;
        }

        public void dispose() {
            try {
                server.dispose();
            } catch (SaslException e) {
                LOG.debug("disposing a SaslServer: {}", e.toString());
            }
        }
    }

    /**
     * ZooKeeper's authorized id for an authenticated name (SaslServerCallbackHandler with
     * KerberosName and the DEFAULT auth_to_local rule): a name without '@' as it is; {@code
     * name[/host]@realm} becomes {@code name}, then {@code /host} unless {@code removeHost}, then
     * {@code @realm} unless {@code removeRealm}, where the realm is the default one; in any other
     * realm no rule applies and the name stays whole (ZooKeeper logs that and keeps it). Throws
     * IllegalArgumentException for a name with '@' that KerberosName cannot parse.
     */
    static String authorizedId(String name, boolean removeHost, boolean removeRealm, String defaultRealm) {
        if (name.indexOf('@') < 0) {
            return name;
        }
        Matcher m = AclCheck.KERBEROS_NAME.matcher(name);
        if (!m.matches()) {
            throw new IllegalArgumentException("Malformed Kerberos name: " + name);
        }
        String service = m.group(1);
        String host = m.group(3);
        String realm = m.group(4);
        if (!defaultRealm.equals(realm)) {
            LOG.warn("no auth_to_local rule applies to {} (not in the default realm '{}'); it is kept whole", name,
                    defaultRealm);
            return name;
        }
        StringBuilder id = new StringBuilder(service);
        if (host != null && !removeHost) {
            id.append('/').append(host);
        }
        if (!removeRealm) {
            id.append('@').append(realm);
        }
        return id.toString();
    }

    /** SaslServerCallbackHandler's answers, per connection (it remembers the user named). */
    private final class Handler implements javax.security.auth.callback.CallbackHandler {
        private String user;

        @Override
        public void handle(Callback[] callbacks) {
            for (Callback callback : callbacks) {
                if (callback instanceof NameCallback nc) {
                    if (credentials.get(nc.getDefaultName()) == null) {
                        LOG.warn("user '{}' is not among the DIGEST-MD5 users of JAAS section '{}'", nc.getDefaultName(),
                                settings.section());
                    } else {
                        nc.setName(nc.getDefaultName());
                        user = nc.getDefaultName();
                    }
                } else if (callback instanceof PasswordCallback pc) {
                    if ("super".equals(user) && settings.superPassword() != null) {
                        pc.setPassword(settings.superPassword().toCharArray());
                    } else if (user != null && credentials.containsKey(user)) {
                        pc.setPassword(credentials.get(user).toCharArray());
                    }
                } else if (callback instanceof RealmCallback rc) {
                    rc.setText(rc.getDefaultText());
                } else if (callback instanceof AuthorizeCallback ac) {
                    ac.setAuthorized(true);
                    ac.setAuthorizedID(authorizedId(ac.getAuthenticationID(), settings.removeHost(),
                            settings.removeRealm(), defaultRealm));
                }
            }
        }
    }
}
