package io.paddock.core.wire;

/**
 * Decodes the body of a client request, chosen by the op code of its RequestHeader. The op
 * codes it knows are those ZooKeeper 3.9 accepts from a client: {@code Request.isValid} plus
 * auth and sasl (which ZooKeeper handles before that check), less createSession (which arrives
 * as a ConnectRequest). Note that check is valid only inside a multi, as in ZooKeeper.
 */
public final class Requests {
    private Requests() {}

    /**
     * The request record for {@code opCode}, read from {@code in}; null for the ops a client
     * sends without a body (ping, closeSession, whoAmI). Any string, buffer or vector field of
     * the record may be null (a jute null): see the package documentation for what each means.
     *
     * @throws UnknownOpCodeException for an op code ZooKeeper answers with UNIMPLEMENTED
     *     (also notification, createSession and a top-level check)
     * @throws WireException when the body does not decode
     */
    public static JuteRecord decodeRequest(int opCode, JuteReader in) {
        return switch (opCode) {
            case OpCode.PING, OpCode.CLOSE_SESSION, OpCode.WHO_AM_I -> null;
            case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER -> CreateRequest.read(in);
            case OpCode.CREATE_TTL -> CreateTTLRequest.read(in);
            case OpCode.DELETE -> DeleteRequest.read(in);
            case OpCode.DELETE_CONTAINER -> DeleteContainerRequest.read(in);
            case OpCode.EXISTS -> ExistsRequest.read(in);
            case OpCode.GET_DATA -> GetDataRequest.read(in);
            case OpCode.SET_DATA -> SetDataRequest.read(in);
            case OpCode.GET_ACL -> GetACLRequest.read(in);
            case OpCode.SET_ACL -> SetACLRequest.read(in);
            case OpCode.GET_CHILDREN -> GetChildrenRequest.read(in);
            case OpCode.GET_CHILDREN2 -> GetChildren2Request.read(in);
            case OpCode.SYNC -> SyncRequest.read(in);
            case OpCode.MULTI, OpCode.MULTI_READ -> MultiRequest.read(in);
            case OpCode.RECONFIG -> ReconfigRequest.read(in);
            case OpCode.CHECK_WATCHES -> CheckWatchesRequest.read(in);
            case OpCode.REMOVE_WATCHES -> RemoveWatchesRequest.read(in);
            case OpCode.AUTH -> AuthPacket.read(in);
            case OpCode.SET_WATCHES -> SetWatches.read(in);
            case OpCode.SET_WATCHES2 -> SetWatches2.read(in);
            case OpCode.SASL -> GetSASLRequest.read(in);
            case OpCode.GET_EPHEMERALS -> GetEphemeralsRequest.read(in);
            case OpCode.GET_ALL_CHILDREN_NUMBER -> GetAllChildrenNumberRequest.read(in);
            case OpCode.ADD_WATCH -> AddWatchRequest.read(in);
            default -> throw new UnknownOpCodeException(opCode);
        };
    }

    /** True when {@link #decodeRequest} knows {@code opCode}. */
    public static boolean isKnownOpCode(int opCode) {
        return switch (opCode) {
            case OpCode.PING, OpCode.CLOSE_SESSION, OpCode.WHO_AM_I, OpCode.CREATE, OpCode.CREATE2,
                    OpCode.CREATE_CONTAINER, OpCode.CREATE_TTL, OpCode.DELETE, OpCode.DELETE_CONTAINER,
                    OpCode.EXISTS, OpCode.GET_DATA, OpCode.SET_DATA, OpCode.GET_ACL, OpCode.SET_ACL,
                    OpCode.GET_CHILDREN, OpCode.GET_CHILDREN2, OpCode.SYNC, OpCode.MULTI,
                    OpCode.MULTI_READ, OpCode.RECONFIG, OpCode.CHECK_WATCHES, OpCode.REMOVE_WATCHES,
                    OpCode.AUTH, OpCode.SET_WATCHES, OpCode.SET_WATCHES2, OpCode.SASL,
                    OpCode.GET_EPHEMERALS, OpCode.GET_ALL_CHILDREN_NUMBER, OpCode.ADD_WATCH -> true;
            default -> false;
        };
    }
}
