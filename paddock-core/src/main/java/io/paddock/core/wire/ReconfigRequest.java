package io.paddock.core.wire;

/** reconfig: incremental (joining/leaving) or bulk (newMembers) change, guarded by curConfigId. */
public record ReconfigRequest(String joiningServers, String leavingServers, String newMembers,
                              long curConfigId) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(joiningServers).writeString(leavingServers).writeString(newMembers)
                .writeLong(curConfigId);
    }

    public static ReconfigRequest read(JuteReader in) {
        return new ReconfigRequest(in.readString(), in.readString(), in.readString(), in.readLong());
    }
}
