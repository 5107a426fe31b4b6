package io.paddock.core.wire;

/** One authenticated identity of a session, as whoAmI reports it. */
public record ClientInfo(String authScheme, String user) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeString(authScheme).writeString(user);
    }

    public static ClientInfo read(JuteReader in) {
        return new ClientInfo(in.readString(), in.readString());
    }
}
