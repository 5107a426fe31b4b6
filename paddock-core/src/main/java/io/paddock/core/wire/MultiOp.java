package io.paddock.core.wire;

import java.util.Objects;

/**
 * One op of a multi request: its op code and its request record. The record's class must be
 * the one ZooKeeper pairs with that op code (see {@link #readBody}); anything else is a bug.
 */
public record MultiOp(int type, JuteRecord request) implements JuteRecord {
    public MultiOp {
        Objects.requireNonNull(request, "request");
        Class<?> expected = requestClass(type);
        if (expected == null || expected != request.getClass()) {
            throw new IllegalArgumentException("op type " + type + " cannot carry " + request);
        }
    }

    /** Writes the op's header, then its request record. */
    @Override
    public void write(JuteWriter out) {
        new MultiHeader(type, false, -1).write(out);
        request.write(out);
    }

    /** True for the read ops (getChildren, getData) that only a multiRead may carry. */
    public boolean isRead() {
        return isReadType(type);
    }

    static boolean isReadType(int type) {
        return type == OpCode.GET_CHILDREN || type == OpCode.GET_DATA;
    }

    /** Reads the request record that follows a header of this {@code type}. */
    public static MultiOp readBody(int type, JuteReader in) {
        JuteRecord request = switch (type) {
            case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER -> CreateRequest.read(in);
            case OpCode.CREATE_TTL -> CreateTTLRequest.read(in);
            case OpCode.DELETE -> DeleteRequest.read(in);
            case OpCode.SET_DATA -> SetDataRequest.read(in);
            case OpCode.CHECK -> CheckVersionRequest.read(in);
            case OpCode.GET_CHILDREN -> GetChildrenRequest.read(in);
            case OpCode.GET_DATA -> GetDataRequest.read(in);
            default -> throw new WireException("invalid op type " + type + " in a multi request");
        };
        return new MultiOp(type, request);
    }

    private static Class<?> requestClass(int type) {
        return switch (type) {
            case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER -> CreateRequest.class;
            case OpCode.CREATE_TTL -> CreateTTLRequest.class;
            case OpCode.DELETE -> DeleteRequest.class;
            case OpCode.SET_DATA -> SetDataRequest.class;
            case OpCode.CHECK -> CheckVersionRequest.class;
            case OpCode.GET_CHILDREN -> GetChildrenRequest.class;
            case OpCode.GET_DATA -> GetDataRequest.class;
            default -> null;
        };
    }
}
