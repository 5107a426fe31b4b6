package io.paddock.server.admin;

/**
 * One client connection as ZooKeeper's {@code cons} and {@code stat} print it. Times and
 * latencies are in milliseconds.
 *
 * @param remoteAddress      as {@code InetSocketAddress.toString()} prints it: {@code /127.0.0.1:53412}
 * @param interestOps        1 (OP_READ) while reading, 0 when reads are paused, | 4 (OP_WRITE)
 *                           while the socket is not writable: ZooKeeper's Netty server reports it so
 * @param sessionId          0 before the handshake; the session fields below are then not printed
 * @param lastOperation      ZooKeeper's short name of the last request ({@link LastOperation}), "NA" before any
 * @param establishedMs      wall-clock time the connection was accepted (epoch ms)
 * @param lastCxid           -1 before any request
 * @param lastZxid           -1 before any reply
 * @param lastResponseTimeMs the time of the last reply, as the server's clock reports it
 * @param avgLatencyMs       integer mean, as ZooKeeper computes it per connection
 */
public record ConnectionInfo(
        String remoteAddress,
        int interestOps,
        long outstandingRequests,
        long packetsReceived,
        long packetsSent,
        long sessionId,
        String lastOperation,
        long establishedMs,
        int sessionTimeoutMs,
        long lastCxid,
        long lastZxid,
        long lastResponseTimeMs,
        long lastLatencyMs,
        long minLatencyMs,
        long avgLatencyMs,
        long maxLatencyMs) {

    /** Appends ZooKeeper's one-line form ({@code ServerCnxn.dumpConnectionInfo}); brief = stat's form. */
    public void appendTo(StringBuilder out, boolean brief) {
        out.append(' ').append(remoteAddress)
            .append('[').append(interestOps == 0 ? "0" : Integer.toHexString(interestOps))
            .append("](queued=").append(outstandingRequests)
            .append(",recved=").append(packetsReceived)
            .append(",sent=").append(packetsSent);
        if (!brief && sessionId != 0) {
            appendSession(out);
        }
        out.append(')');
    }

    private void appendSession(StringBuilder out) {
        out.append(",sid=0x").append(Long.toHexString(sessionId))
            .append(",lop=").append(lastOperation)
            .append(",est=").append(establishedMs)
            .append(",to=").append(sessionTimeoutMs);
        if (lastCxid >= 0) {
            out.append(",lcxid=0x").append(Long.toHexString(lastCxid));
        }
        out.append(",lzxid=0x").append(Long.toHexString(lastZxid))
            .append(",lresp=").append(lastResponseTimeMs)
            .append(",llat=").append(lastLatencyMs)
            .append(",minlat=").append(minLatencyMs)
            .append(",avglat=").append(avgLatencyMs)
            .append(",maxlat=").append(maxLatencyMs);
    }
}
