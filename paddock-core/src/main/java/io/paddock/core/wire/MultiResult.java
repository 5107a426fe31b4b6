package io.paddock.core.wire;

import java.util.List;

/**
 * One result of a multi response: a MultiHeader (type, done=false, err) and the record ZooKeeper
 * writes for that type: create → CreateResponse; create2 → Create2Response; delete and check →
 * nothing; setData → SetDataResponse; getChildren → GetChildrenResponse; getData →
 * GetDataResponse; error (-1) → ErrorResponse, with the same code in the header. {@code err} is 0
 * for every other type. ZooKeeper reports createContainer and createTTL ops as create2 results
 * ({@link #created}); a result typed createTTL or createContainer cannot be encoded.
 */
public record MultiResult(int type, int err, JuteRecord result) implements JuteRecord {
    public MultiResult {
        if (!isResultType(type)) {
            throw new IllegalArgumentException("no multi result of type " + type);
        }
        Class<?> expected = resultClass(type);
        Class<?> actual = result == null ? null : result.getClass();
        if (actual != expected) {
            throw new IllegalArgumentException("multi result of type " + type + " cannot carry " + result);
        }
        int expectedErr = result instanceof ErrorResponse e ? e.err() : Code.OK;
        if (err != expectedErr) {
            throw new IllegalArgumentException("multi result " + type + " with err " + err);
        }
    }

    public static MultiResult error(int err) {
        return new MultiResult(OpCode.ERROR, err, new ErrorResponse(err));
    }

    /** The result of a create op of {@code opType}: create answers a path, the others create2. */
    public static MultiResult created(int opType, String path, Stat stat) {
        if (opType == OpCode.CREATE) {
            return new MultiResult(OpCode.CREATE, Code.OK, new CreateResponse(path));
        }
        if (opType == OpCode.CREATE2 || opType == OpCode.CREATE_CONTAINER || opType == OpCode.CREATE_TTL) {
            return new MultiResult(OpCode.CREATE2, Code.OK, new Create2Response(path, stat));
        }
        throw new IllegalArgumentException("not a create op: " + opType);
    }

    public static MultiResult deleted() {
        return new MultiResult(OpCode.DELETE, Code.OK, null);
    }

    public static MultiResult checked() {
        return new MultiResult(OpCode.CHECK, Code.OK, null);
    }

    public static MultiResult dataSet(Stat stat) {
        return new MultiResult(OpCode.SET_DATA, Code.OK, new SetDataResponse(stat));
    }

    public static MultiResult children(List<String> children) {
        return new MultiResult(OpCode.GET_CHILDREN, Code.OK, new GetChildrenResponse(children));
    }

    public static MultiResult data(byte[] data, Stat stat) {
        return new MultiResult(OpCode.GET_DATA, Code.OK, new GetDataResponse(data, stat));
    }

    @Override
    public void write(JuteWriter out) {
        new MultiHeader(type, false, err).write(out);
        if (result != null) {
            result.write(out);
        }
    }

    /**
     * Reads the record that follows {@code header}. Like ZooKeeper's client, the error code is
     * taken from the ErrorResponse and the header's err is otherwise ignored.
     */
    public static MultiResult readBody(MultiHeader header, JuteReader in) {
        return switch (header.type()) {
            case OpCode.CREATE -> new MultiResult(OpCode.CREATE, Code.OK, CreateResponse.read(in));
            case OpCode.CREATE2 -> new MultiResult(OpCode.CREATE2, Code.OK, Create2Response.read(in));
            case OpCode.DELETE -> deleted();
            case OpCode.CHECK -> checked();
            case OpCode.SET_DATA -> new MultiResult(OpCode.SET_DATA, Code.OK, SetDataResponse.read(in));
            case OpCode.GET_CHILDREN ->
                    new MultiResult(OpCode.GET_CHILDREN, Code.OK, GetChildrenResponse.read(in));
            case OpCode.GET_DATA -> new MultiResult(OpCode.GET_DATA, Code.OK, GetDataResponse.read(in));
            case OpCode.ERROR -> error(ErrorResponse.read(in).err());
            default -> throw new WireException("invalid result type " + header.type() + " in a multi response");
        };
    }

    private static boolean isResultType(int type) {
        return switch (type) {
            case OpCode.CREATE, OpCode.CREATE2, OpCode.DELETE, OpCode.CHECK, OpCode.SET_DATA,
                    OpCode.GET_CHILDREN, OpCode.GET_DATA, OpCode.ERROR -> true;
            default -> false;
        };
    }

    /** The record class that follows a result header of {@code type}; null when none does. */
    private static Class<?> resultClass(int type) {
        return switch (type) {
            case OpCode.CREATE -> CreateResponse.class;
            case OpCode.CREATE2 -> Create2Response.class;
            case OpCode.SET_DATA -> SetDataResponse.class;
            case OpCode.GET_CHILDREN -> GetChildrenResponse.class;
            case OpCode.GET_DATA -> GetDataResponse.class;
            case OpCode.ERROR -> ErrorResponse.class;
            default -> null;
        };
    }
}
