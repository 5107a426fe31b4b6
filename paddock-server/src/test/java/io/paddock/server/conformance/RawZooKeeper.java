package io.paddock.server.conformance;

import java.io.IOException;
import org.apache.jute.Record;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;

/**
 * The official client with one extra door: sending a request record as is. The client checks
 * paths and watch registrations before sending; this lets a test see what the server itself
 * answers to requests the public API would refuse to send.
 */
final class RawZooKeeper extends ZooKeeper {

    RawZooKeeper(String connectString, int sessionTimeoutMs, Watcher watcher) throws IOException {
        super(connectString, sessionTimeoutMs, watcher);
    }

    /** Sends {@code request} with {@code opCode}; returns the reply header's error code. */
    int submit(int opCode, Record request, Record response) throws InterruptedException {
        RequestHeader header = new RequestHeader();
        header.setType(opCode);
        ReplyHeader reply = cnxn.submitRequest(header, request, response, null);
        return reply.getErr();
    }
}
