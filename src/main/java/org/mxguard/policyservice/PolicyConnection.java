package org.mxguard.policyservice;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection from a primary's Postfix, kept open for as many requests as it sends
 * (SMTPD_POLICY_README: "unless there was an error, the server must not close the connection").
 * Answers are flushed when no further request is waiting, so a client that sends requests back to
 * back gets its answers in one write.
 */
final class PolicyConnection implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyConnection.class);

    private final Socket socket;
    private final PolicyServiceSettings settings;
    private final PolicyResponder responder;
    private final Runnable onMalformed;

    PolicyConnection(Socket socket, PolicyServiceSettings settings, PolicyResponder responder, Runnable onMalformed) {
        this.socket = socket;
        this.settings = settings;
        this.responder = responder;
        this.onMalformed = onMalformed;
    }

    @Override
    public void run() {
        InetSocketAddress peer = (InetSocketAddress) socket.getRemoteSocketAddress();
        try (socket) {
            try {
                serve(peer);
            } catch (MalformedRequestException e) {
                // Counted and logged before the close, so whoever sees the connection end can see why.
                onMalformed.run();
                LOG.warn("policy_service malformed_request from={}:{}: {}; connection closed",
                        peer.getAddress().getHostAddress(), peer.getPort(), e.getMessage());
            }
        } catch (SocketTimeoutException e) {
            LOG.debug("policy_service idle_timeout from={}:{} after {}", peer.getAddress().getHostAddress(),
                    peer.getPort(), settings.idleTimeout());
        } catch (IOException e) {
            LOG.debug("policy_service connection_lost from={}:{}: {}", peer.getAddress().getHostAddress(),
                    peer.getPort(), e.toString());
        }
    }

    private void serve(InetSocketAddress peer) throws IOException, MalformedRequestException {
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, settings.idleTimeout().toMillis()));
        RequestReader reader = new RequestReader(socket.getInputStream(), settings.maxLineLength(),
                settings.maxAttributes());
        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 8192);
        while (true) {
            PolicyRequest request = reader.next();
            if (request == null) {
                return;
            }
            String action = responder.answer(request, peer.getAddress());
            // The answer is one attribute and an empty line.
            out.write(("action=" + action + "\n\n").getBytes(StandardCharsets.UTF_8));
            if (!reader.hasBuffered()) {
                out.flush();
            }
        }
    }
}
