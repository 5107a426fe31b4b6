package io.paddock.core.wire;

import java.util.List;

/** The reply to whoAmI: every identity the session has authenticated as (null allowed). */
public record WhoAmIResponse(List<ClientInfo> clientInfo) implements JuteRecord {
    @Override
    public void write(JuteWriter out) {
        out.writeVector(clientInfo, (w, c) -> c.write(w));
    }

    public static WhoAmIResponse read(JuteReader in) {
        return new WhoAmIResponse(in.readVector(ClientInfo::read));
    }
}
