package io.paddock.server.admin;

import io.paddock.core.wire.OpCode;

/**
 * ZooKeeper's four-letter names of the last operation a connection ran (the {@code lop=} of
 * {@code cons}), set where ZooKeeper sets them: when the reply is sent.
 */
public final class LastOperation {
    private LastOperation() {}

    /** Before any request, and for requests ZooKeeper does not name (auth, sasl). */
    public static final String NONE = "NA";

    /** The name ZooKeeper gives {@code opCode}, or {@link #NONE}. */
    public static String of(int opCode) {
        switch (opCode) {
            case OpCode.PING: return "PING";
            case OpCode.CREATE_SESSION: return "SESS";
            case OpCode.MULTI: return "MULT";
            case OpCode.MULTI_READ: return "MLTR";
            case OpCode.CREATE:
            case OpCode.CREATE2:
            case OpCode.CREATE_TTL:
            case OpCode.CREATE_CONTAINER: return "CREA";
            case OpCode.DELETE:
            case OpCode.DELETE_CONTAINER: return "DELE";
            case OpCode.SET_DATA: return "SETD";
            case OpCode.RECONFIG: return "RECO";
            case OpCode.SET_ACL: return "SETA";
            case OpCode.CLOSE_SESSION: return "CLOS";
            case OpCode.SYNC: return "SYNC";
            case OpCode.CHECK: return "CHEC";
            case OpCode.EXISTS: return "EXIS";
            case OpCode.GET_DATA: return "GETD";
            case OpCode.SET_WATCHES: return "SETW";
            case OpCode.SET_WATCHES2: return "STW2";
            case OpCode.ADD_WATCH: return "ADDW";
            case OpCode.GET_ACL: return "GETA";
            case OpCode.GET_CHILDREN:
            case OpCode.GET_CHILDREN2: return "GETC";
            case OpCode.GET_ALL_CHILDREN_NUMBER: return "GETACN";
            case OpCode.CHECK_WATCHES: return "CHKW";
            case OpCode.REMOVE_WATCHES: return "REMW";
            case OpCode.WHO_AM_I: return "HOMI";
            case OpCode.GET_EPHEMERALS: return "GETE";
            default: return NONE;
        }
    }
}
