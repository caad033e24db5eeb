package io.mailroom.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A link with a 20 ms round trip, for the benchmark: forwards each direction to a loopback port after
 * {@link #DELAY_MS}, keeping order, one pair of threads per direction per connection (daemons). Closing it
 * stops accepting; connections already open end when either side closes.
 */
final class DelayProxy implements AutoCloseable {
    static final int DELAY_MS = 10;
    private static final long SPIN_NANOS = 500_000;

    private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

    DelayProxy(int target) throws IOException {
        daemon(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                    client.setTcpNoDelay(true);
                    server.setTcpNoDelay(true);
                    pipe(client.getInputStream(), server.getOutputStream());
                    pipe(server.getInputStream(), client.getOutputStream());
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    int port() { return listener.getLocalPort(); }

    private record Chunk(long due, byte[] bytes) { }

    private static void pipe(InputStream in, OutputStream out) {
        LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        daemon(() -> {
            byte[] buf = new byte[65536];
            try {
                int r;
                while ((r = in.read(buf)) > 0) queue.put(new Chunk(System.nanoTime() + DELAY_MS * 1_000_000L, Arrays.copyOf(buf, r)));
            } catch (IOException | InterruptedException ignored) {
                // connection closed
            }
            queue.add(new Chunk(0, new byte[0]));
        });
        daemon(() -> {
            try {
                while (true) {
                    Chunk c = queue.take();
                    if (c.bytes().length == 0) {
                        out.close();
                        return;
                    }
                    long wait = c.due() - System.nanoTime();
                    // not Thread.sleep, which rounds to whole milliseconds: parked until just before the time, which
                    // oversleeps by 0.1 to 0.3 ms here, then spinning, so the link is 10 ms each way and not 11
                    if (wait > SPIN_NANOS) LockSupport.parkNanos(wait - SPIN_NANOS);
                    while (c.due() - System.nanoTime() > 0) Thread.onSpinWait();
                    out.write(c.bytes());
                    out.flush();
                }
            } catch (IOException | InterruptedException ignored) {
                // connection closed
            }
        });
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "delay-proxy");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
