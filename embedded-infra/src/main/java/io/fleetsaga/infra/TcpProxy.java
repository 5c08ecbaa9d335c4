package io.fleetsaga.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on 127.0.0.1 in front of one server (e.g. the database), for network faults without root or Docker.
 *
 * <p>{@link #blackHole()} turns every open connection into a half-open one for good: bytes in either direction are
 * swallowed, nothing is closed, so a client waiting for an answer waits until its own timeout — how a connection
 * looks after a network partition, a dead NAT entry or a server that vanished without a FIN. Connections accepted
 * while black-holed are just as silent. {@link #restore()} lets new connections through again; the black-holed ones
 * stay dead, as they would in reality.
 *
 * <p>{@link #delay(Duration)} adds latency to every chunk forwarded in either direction (a slow or congested
 * network); {@link #cut()} resets every open connection and refuses new ones (a server that is gone, or a
 * firewall that rejects); {@link #retarget(int)} points new connections at another port (a server restarted on
 * another port keeps its address for the clients). {@link #restore()} ends black hole, delay and cut alike.
 */
public final class TcpProxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TcpProxy.class);

    private final ServerSocket server;
    private final String targetHost;
    private volatile int targetPort;
    private volatile long delayNanos;
    private volatile boolean cut;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private volatile boolean blackHoled;
    private volatile boolean closed;

    private TcpProxy(ServerSocket server, String targetHost, int targetPort) {
        this.server = server;
        this.targetHost = targetHost;
        this.targetPort = targetPort;
    }

    /** Starts a proxy on a free port of 127.0.0.1 that forwards to {@code host:port}. */
    public static TcpProxy start(String host, int port) {
        try {
            ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            TcpProxy proxy = new TcpProxy(server, host, port);
            Thread acceptor = new Thread(proxy::accept, "tcp-proxy-" + server.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a TCP proxy to " + host + ":" + port, e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Every open connection and every new one goes silent (see the class comment). */
    public void blackHole() {
        blackHoled = true;
        links.forEach(link -> link.dead = true);
        log.info("TCP proxy :{} -> {}:{} black-holed ({} connections)", port(), targetHost, targetPort, links.size());
    }

    /** Adds {@code latency} before every chunk is forwarded, in both directions, on open and new connections. */
    public void delay(Duration latency) {
        delayNanos = latency.toNanos();
        log.info("TCP proxy :{} -> {}:{} delays traffic by {}", port(), targetHost, targetPort, latency);
    }

    /** Resets every open connection and refuses new ones (they are accepted and closed at once). */
    public void cut() {
        cut = true;
        links.forEach(Link::reset);
        log.info("TCP proxy :{} -> {}:{} cut ({} connections reset)", port(), targetHost, targetPort, links.size());
    }

    /** New connections go to {@code port} from now on; open ones stay where they are. */
    public void retarget(int port) {
        targetPort = port;
    }

    /** The port new connections are forwarded to. */
    public int targetPort() {
        return targetPort;
    }

    /** New connections are forwarded again, without delay; black-holed ones stay dead. */
    public void restore() {
        blackHoled = false;
        cut = false;
        delayNanos = 0;
        log.info("TCP proxy :{} -> {}:{} restored", port(), targetHost, targetPort);
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("TCP proxy :{} stopped accepting: {}", port(), e.toString());
                }
                return;
            }
            if (cut) {
                Link.resetQuietly(client);
                continue;
            }
            Link link = new Link(client);
            links.add(link);
            if (blackHoled) {
                link.dead = true;
                pump(link, client, null);
                continue;
            }
            try {
                link.upstream = new Socket(targetHost, targetPort);
            } catch (IOException e) {
                link.close();
                continue;
            }
            pump(link, client, link.upstream);
            pump(link, link.upstream, client);
        }
    }

    private void pump(Link link, Socket from, Socket to) {
        Thread thread = new Thread(
                () -> {
                    byte[] buffer = new byte[16 * 1024];
                    try {
                        InputStream in = from.getInputStream();
                        OutputStream out = to == null ? null : to.getOutputStream();
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            long delay = delayNanos;
                            if (delay > 0) {
                                Thread.sleep(delay / 1_000_000, (int) (delay % 1_000_000)); // the injected latency
                            }
                            if (!link.dead && out != null) {
                                out.write(buffer, 0, n);
                                out.flush();
                            }
                        }
                    } catch (IOException e) {
                        // the other side closed or the proxy is closing
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    links.remove(link);
                    if (!link.dead) {
                        link.close();
                    }
                },
                "tcp-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        links.forEach(Link::close);
    }

    private static final class Link {
        private final Socket client;
        private volatile Socket upstream;
        private volatile boolean dead;

        Link(Socket client) {
            this.client = client;
        }

        void close() {
            closeQuietly(client);
            closeQuietly(upstream);
        }

        /** Closes both sides with an RST instead of a FIN, as a rejecting firewall or a vanished server would. */
        void reset() {
            resetQuietly(client);
            resetQuietly(upstream);
        }

        static void resetQuietly(Socket socket) {
            if (socket != null) {
                try {
                    socket.setSoLinger(true, 0);
                } catch (IOException e) {
                    // closed already
                }
                closeQuietly(socket);
            }
        }

        static void closeQuietly(Socket socket) {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // already closed
                }
            }
        }
    }
}
