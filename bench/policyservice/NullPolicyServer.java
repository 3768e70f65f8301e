import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The control of the policy service benchmark: answers {@code action=DUNNO} to every request
 * without reading it (it only looks for the empty line), one platform thread per connection. What
 * the load generator measures against it is the machine and the loopback, not a service.
 * Single-file source: {@code java NullPolicyServer.java PORT}.
 */
public class NullPolicyServer {

    public static void main(String[] args) throws IOException {
        byte[] answer = "action=DUNNO\n\n".getBytes(StandardCharsets.US_ASCII);
        try (ServerSocket server = new ServerSocket(Integer.parseInt(args[0]), 256, InetAddress.getLoopbackAddress())) {
            while (true) {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                Thread.ofPlatform().start(() -> {
                    try (socket) {
                        InputStream in = new BufferedInputStream(socket.getInputStream());
                        OutputStream out = socket.getOutputStream();
                        int previous = '\n';
                        int b;
                        while ((b = in.read()) >= 0) {
                            if (b == '\n' && previous == '\n') {
                                out.write(answer);
                                if (in.available() == 0) {
                                    out.flush();
                                }
                            }
                            previous = b;
                        }
                    } catch (IOException e) {
                        // The client went away.
                    }
                });
            }
        }
    }
}
