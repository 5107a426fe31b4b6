package io.paddock.core;

import io.paddock.core.tree.AclCheck;
import io.paddock.core.tree.AuthSchemes;
import io.paddock.core.tree.DataTree;
import io.paddock.core.tree.Znode;
import io.paddock.core.wire.Acl;
import io.paddock.core.wire.AddWatchMode;
import io.paddock.core.wire.AddWatchRequest;
import io.paddock.core.wire.CheckWatchesRequest;
import io.paddock.core.wire.ClientInfo;
import io.paddock.core.wire.Code;
import io.paddock.core.wire.ErrorResponse;
import io.paddock.core.wire.ExistsRequest;
import io.paddock.core.wire.ExistsResponse;
import io.paddock.core.wire.GetACLRequest;
import io.paddock.core.wire.GetACLResponse;
import io.paddock.core.wire.GetAllChildrenNumberRequest;
import io.paddock.core.wire.GetAllChildrenNumberResponse;
import io.paddock.core.wire.GetChildren2Request;
import io.paddock.core.wire.GetChildren2Response;
import io.paddock.core.wire.GetChildrenRequest;
import io.paddock.core.wire.GetChildrenResponse;
import io.paddock.core.wire.GetDataRequest;
import io.paddock.core.wire.GetDataResponse;
import io.paddock.core.wire.GetEphemeralsRequest;
import io.paddock.core.wire.GetEphemeralsResponse;
import io.paddock.core.wire.Id;
import io.paddock.core.wire.JuteRecord;
import io.paddock.core.wire.MultiOp;
import io.paddock.core.wire.MultiRequest;
import io.paddock.core.wire.MultiResponse;
import io.paddock.core.wire.MultiResult;
import io.paddock.core.wire.OpCode;
import io.paddock.core.wire.RemoveWatchesRequest;
import io.paddock.core.wire.SyncRequest;
import io.paddock.core.wire.SyncResponse;
import io.paddock.core.wire.WatcherType;
import io.paddock.core.wire.WhoAmIResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers requests that change nothing from the local tree. Reads do not validate paths (a
 * malformed path is simply absent: NoNode), as in ZooKeeper; permission checks use the node's
 * ACL and the connection's identities.
 *
 * <p>A null path (a jute null string) is answered as ZooKeeper 3.9 answers it: the reads that
 * look a node up (exists, getData, getChildren, getChildren2, getACL, getAllChildrenNumber,
 * and a multiRead with any such op) answer MARSHALLING_ERROR and set no watch; sync echoes it;
 * getEphemerals treats it as "/"; addWatch keeps a watch on it and checkWatches/removeWatches
 * look it up like any path. The connection stays open in every case.
 */
final class ReadHandler {
    private final DataTree tree;
    /** The providers this server has beyond the defaults: x509 and sasl ACL entries match only with theirs. */
    private final AuthSchemes authSchemes;

    ReadHandler(DataTree tree) {
        this(tree, AuthSchemes.NONE);
    }

    ReadHandler(DataTree tree, AuthSchemes authSchemes) {
        this.tree = tree;
        this.authSchemes = authSchemes;
    }

    /** The answer to a read: an error code and a body (null for none). */
    record Answer(int err, JuteRecord body) {
        static Answer ok(JuteRecord body) {
            return new Answer(Code.OK, body);
        }

        static Answer error(int err) {
            return new Answer(err, null);
        }
    }

    /** The ids of the read being answered ({@link #answer}); null between reads. */
    private List<Id> askingIds;

    /**
     * Answers one read of {@code conn}, judged by {@code authIds}: the ids the connection had when
     * the read came (it may have proved more while the read waited behind a write).
     */
    Answer answer(ClientConnection conn, List<Id> authIds, int opCode, JuteRecord body) {
        askingIds = authIds;
        try {
            return answerAsked(conn, opCode, body);
        } finally {
            askingIds = null;
        }
    }

    private Answer answerAsked(ClientConnection conn, int opCode, JuteRecord body) {
        return switch (opCode) {
            case OpCode.EXISTS -> exists(conn, (ExistsRequest) body);
            case OpCode.GET_DATA -> getData(conn, (GetDataRequest) body);
            case OpCode.GET_CHILDREN -> getChildren(conn, (GetChildrenRequest) body);
            case OpCode.GET_CHILDREN2 -> getChildren2(conn, (GetChildren2Request) body);
            case OpCode.GET_ACL -> getAcl(conn, (GetACLRequest) body);
            case OpCode.GET_ALL_CHILDREN_NUMBER -> allChildrenNumber(conn, (GetAllChildrenNumberRequest) body);
            case OpCode.GET_EPHEMERALS -> ephemerals(conn, (GetEphemeralsRequest) body);
            case OpCode.SYNC -> Answer.ok(new SyncResponse(((SyncRequest) body).path()));
            case OpCode.MULTI_READ -> multiRead(conn, (MultiRequest) body);
            case OpCode.ADD_WATCH -> addWatch(conn, (AddWatchRequest) body);
            case OpCode.REMOVE_WATCHES -> removeWatches(conn, (RemoveWatchesRequest) body);
            case OpCode.CHECK_WATCHES -> checkWatches(conn, (CheckWatchesRequest) body);
            case OpCode.WHO_AM_I -> whoAmI();
            case OpCode.PING -> Answer.ok(null);
            default -> Answer.error(Code.UNIMPLEMENTED);
        };
    }

    private boolean allowed(ClientConnection conn, Znode node, int perm) {
        return AclCheck.permitted(node.acl(), perm, askingIds, ClientConnection.isSuper(askingIds), authSchemes);
    }

    /** Unlike the other reads, ZooKeeper's exists refuses a NUL in the path (BadArguments). */
    private Answer exists(ClientConnection conn, ExistsRequest r) {
        if (r.path() == null) {
            return Answer.error(Code.MARSHALLING_ERROR);
        }
        if (r.path().indexOf('\0') != -1) {
            return Answer.error(Code.BAD_ARGUMENTS);
        }
        Znode node = tree.get(r.path());
        if (node == null) {
            if (r.watch()) {
                tree.watches().addExistWatch(r.path(), conn.connId);
            }
            return Answer.error(Code.NO_NODE);
        }
        if (!allowed(conn, node, Acl.READ)) {
            return Answer.error(Code.NO_AUTH);
        }
        if (r.watch()) {
            tree.watches().addDataWatch(r.path(), conn.connId);
        }
        return Answer.ok(new ExistsResponse(node.stat()));
    }

    /** The node at {@code path} if it exists and the connection may read it; else why not. */
    private Znode readable(ClientConnection conn, String path) throws ReadRefused {
        if (path == null) {
            throw new ReadRefused(Code.MARSHALLING_ERROR);
        }
        Znode node = tree.get(path);
        if (node == null) {
            throw new ReadRefused(Code.NO_NODE);
        }
        if (!allowed(conn, node, Acl.READ)) {
            throw new ReadRefused(Code.NO_AUTH);
        }
        return node;
    }

    /** A read that fails with {@code code}; carries no stack trace. */
    private static final class ReadRefused extends Exception {
        final int code;

        ReadRefused(int code) {
            super(null, null, false, false);
            this.code = code;
        }
    }

    private Answer getData(ClientConnection conn, GetDataRequest r) {
        Znode node;
        try {
            node = readable(conn, r.path());
        } catch (ReadRefused e) {
            return Answer.error(e.code);
        }
        if (r.watch()) {
            tree.watches().addDataWatch(r.path(), conn.connId);
        }
        return Answer.ok(new GetDataResponse(node.data(), node.stat()));
    }

    private Answer getChildren(ClientConnection conn, GetChildrenRequest r) {
        try {
            readable(conn, r.path());
        } catch (ReadRefused e) {
            return Answer.error(e.code);
        }
        if (r.watch()) {
            tree.watches().addChildWatch(r.path(), conn.connId);
        }
        return Answer.ok(new GetChildrenResponse(tree.children(r.path())));
    }

    private Answer getChildren2(ClientConnection conn, GetChildren2Request r) {
        Answer a = getChildren(conn, new GetChildrenRequest(r.path(), r.watch()));
        if (a.err() != Code.OK) {
            return a;
        }
        List<String> children = ((GetChildrenResponse) a.body()).children();
        return Answer.ok(new GetChildren2Response(children, tree.get(r.path()).stat()));
    }

    /** Needs READ or ADMIN; without ADMIN, digest identities are masked as ZooKeeper does. */
    private Answer getAcl(ClientConnection conn, GetACLRequest r) {
        if (r.path() == null) {
            return Answer.error(Code.MARSHALLING_ERROR);
        }
        Znode node = tree.get(r.path());
        if (node == null) {
            return Answer.error(Code.NO_NODE);
        }
        boolean admin = allowed(conn, node, Acl.ADMIN);
        if (!admin && !allowed(conn, node, Acl.READ)) {
            return Answer.error(Code.NO_AUTH);
        }
        List<Acl> acl = admin ? node.acl() : masked(node.acl());
        return Answer.ok(new GetACLResponse(acl, node.stat()));
    }

    private static List<Acl> masked(List<Acl> acl) {
        List<Acl> out = new ArrayList<>(acl.size());
        for (Acl a : acl) {
            if (a.id().scheme().equals("digest")) {
                String id = a.id().id();
                int colon = id.indexOf(':');
                String user = colon < 0 ? id : id.substring(0, colon);
                out.add(new Acl(a.perms(), new Id("digest", user + ":x")));
            } else {
                out.add(a);
            }
        }
        return out;
    }

    private Answer allChildrenNumber(ClientConnection conn, GetAllChildrenNumberRequest r) {
        try {
            readable(conn, r.path());
        } catch (ReadRefused e) {
            return Answer.error(e.code);
        }
        return Answer.ok(new GetAllChildrenNumberResponse(tree.allChildrenNumber(r.path())));
    }

    private Answer ephemerals(ClientConnection conn, GetEphemeralsRequest r) {
        String prefix = r.prefixPath() == null ? "/" : r.prefixPath();
        return Answer.ok(new GetEphemeralsResponse(tree.ephemeralsUnder(conn.sessionId, prefix)));
    }

    /**
     * Each op answers on its own; a failing op is an error result and the others still run. An
     * op with a null path fails the whole multiRead with MARSHALLING_ERROR, as in ZooKeeper.
     */
    private Answer multiRead(ClientConnection conn, MultiRequest r) {
        for (MultiOp op : r.ops()) {
            String path = op.request() instanceof GetDataRequest d ? d.path()
                    : op.request() instanceof GetChildrenRequest c ? c.path() : "";
            if (path == null) {
                return Answer.error(Code.MARSHALLING_ERROR);
            }
        }
        List<MultiResult> results = new ArrayList<>();
        for (MultiOp op : r.ops()) {
            Answer a = switch (op.type()) {
                case OpCode.GET_CHILDREN -> getChildren(conn, (GetChildrenRequest) op.request());
                case OpCode.GET_DATA -> getData(conn, (GetDataRequest) op.request());
                default -> Answer.error(Code.UNIMPLEMENTED);
            };
            if (a.err() != Code.OK) {
                results.add(MultiResult.error(a.err()));
            } else if (a.body() instanceof GetChildrenResponse c) {
                results.add(MultiResult.children(c.children()));
            } else {
                GetDataResponse d = (GetDataResponse) a.body();
                results.add(MultiResult.data(d.data(), d.stat()));
            }
        }
        return Answer.ok(new MultiResponse(results));
    }

    /**
     * Unknown modes and types are answered MARSHALLINGERROR, as ZooKeeper does. A null path is a
     * path like any other here (ZooKeeper keeps such a watch; it never fires).
     */
    private Answer addWatch(ClientConnection conn, AddWatchRequest r) {
        if (!AddWatchMode.isValid(r.mode())) {
            return Answer.error(Code.MARSHALLING_ERROR);
        }
        tree.watches().addWatch(r.path(), r.mode(), conn.connId);
        return Answer.ok(new ErrorResponse(Code.OK));
    }

    private Answer removeWatches(ClientConnection conn, RemoveWatchesRequest r) {
        if (!WatcherType.isValid(r.type())) {
            return Answer.error(Code.MARSHALLING_ERROR);
        }
        boolean removed = tree.watches().removeWatches(r.path(), r.type(), conn.connId);
        return removed ? Answer.ok(null) : Answer.error(Code.NO_WATCHER);
    }

    private Answer checkWatches(ClientConnection conn, CheckWatchesRequest r) {
        if (!WatcherType.isValid(r.type())) {
            return Answer.error(Code.MARSHALLING_ERROR);
        }
        boolean present = tree.watches().checkWatches(r.path(), r.type(), conn.connId);
        return present ? Answer.ok(null) : Answer.error(Code.NO_WATCHER);
    }

    /**
     * ZooKeeper reports the user name of digest identities and the id of the others, or "" for an
     * id whose scheme has no provider on this server (AuthUtil.getUser): a SASL id where
     * authProvider.N does not name the SASL provider, super.
     */
    private Answer whoAmI() {
        List<ClientInfo> infos = new ArrayList<>();
        for (Id id : askingIds) {
            String user = id.id();
            if (id.scheme().equals("digest") && user.indexOf(':') >= 0) {
                user = user.substring(0, user.indexOf(':'));
            } else if (!authSchemes.known(id.scheme())) {
                user = "";
            }
            infos.add(new ClientInfo(id.scheme(), user));
        }
        return Answer.ok(new WhoAmIResponse(infos));
    }
}
