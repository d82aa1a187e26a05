package dev.tollgate.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP forwarder in front of a database, which a test can cut (every connection dropped, new ones
 * refused, as when the server goes away) and resume on the same port, or stall (connections stay
 * open but nothing is forwarded, as when the database is far slower than any deadline) and release.
 */
public final class TcpProxy implements AutoCloseable {

  private final int target;
  private final int port;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;
  private volatile CountDownLatch stalled;

  public TcpProxy(int target) throws IOException {
    this.target = target;
    this.server = listen(0);
    this.port = server.getLocalPort();
    accept(server);
  }

  public int port() {
    return port;
  }

  private static ServerSocket listen(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return s;
  }

  private void accept(ServerSocket listening) {
    Thread.ofPlatform()
        .daemon()
        .name("proxy-accept")
        .start(
            () -> {
              while (!listening.isClosed()) {
                try {
                  Socket client = listening.accept();
                  Socket db = new Socket(InetAddress.getLoopbackAddress(), target);
                  client.setTcpNoDelay(true);
                  db.setTcpNoDelay(true);
                  sockets.add(client);
                  sockets.add(db);
                  pump(client, db);
                  pump(db, client);
                } catch (IOException e) {
                  // closed by cut(): stop accepting
                }
              }
            });
  }

  private void pump(Socket from, Socket to) {
    Thread.ofPlatform()
        .daemon()
        .name("proxy-pump")
        .start(
            () -> {
              byte[] buf = new byte[16384];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                  CountDownLatch gate = stalled;
                  if (gate != null) {
                    gate.await();
                  }
                  out.write(buf, 0, n);
                }
              } catch (IOException e) {
                // a side closed
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            });
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  /** Drops every connection and refuses new ones. */
  public void cut() throws IOException {
    server.close();
    for (Socket s : sockets) {
      closeQuietly(s);
    }
    sockets.clear();
  }

  /** Holds every byte in both directions (connections stay open) until {@link #release}. */
  public void stall() {
    stalled = new CountDownLatch(1);
  }

  /** Forwards again, the held bytes first. */
  public void release() {
    CountDownLatch gate = stalled;
    stalled = null;
    if (gate != null) {
      gate.countDown();
    }
  }

  /** Accepts connections again, on the same port. */
  public void resume() throws IOException {
    server = listen(port);
    accept(server);
  }

  @Override
  public void close() throws IOException {
    release();
    cut();
  }
}
