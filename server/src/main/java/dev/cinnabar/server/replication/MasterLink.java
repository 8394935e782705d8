package dev.cinnabar.server.replication;

import dev.cinnabar.resp.RespParser;
import dev.cinnabar.server.Server;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * One connection of a replica to its master (Redis connectWithMaster, syncWithMaster,
 * readSyncBulkPayload and the master client's input), on a thread of its own with blocking
 * I/O: connect, handshake (PING, AUTH, REPLCONF listening-port / ip-address / capa eof psync2),
 * PSYNC, then either the snapshot (length-prefixed or EOF-marker) followed by the stream, or the
 * stream directly after +CONTINUE. Everything that touches the server goes through
 * {@link ReplicaOf} under the server lock: the snapshot is loaded in one lock hold, the stream
 * is applied one read batch per lock hold. ACKs (once a second, and for REPLCONF GETACK) are
 * written by this thread only.
 *
 * <p>The link ends on any error, timeout (repl-timeout without a byte from the master) or
 * {@link #cancel}; the cron then starts a new one.
 */
final class MasterLink {
    private static final int READ_CHUNK = 64 * 1024;
    /** Redis CONFIG_RUN_ID_SIZE, the length of the EOF mark. */
    private static final int EOF_MARK_SIZE = 40;

    private final Server server;
    private final ReplicaOf owner;
    private final String host;
    private final int port;
    private final Thread thread;
    private volatile boolean cancelled;
    private volatile Socket socket;
    private InputStream in;
    private OutputStream out;

    MasterLink(Server server, ReplicaOf owner, String host, int port) {
        this.server = server;
        this.owner = owner;
        this.host = host;
        this.port = port;
        this.thread = Thread.ofPlatform().daemon().name("replica-link-" + host + ":" + port).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Ends the link (REPLICAOF elsewhere, NO ONE, shutdown); safe from any thread. */
    void cancel() {
        cancelled = true;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing is all we wanted
            }
        }
    }

    private void run() {
        String why = null;
        try {
            sync();
        } catch (IOException e) {
            why = cancelled ? null : e.getMessage();
        } catch (RuntimeException e) {
            why = cancelled ? null : "Replication link failed: " + e;
        } finally {
            cancel();
            String reason = why;
            locked(() -> {
                owner.linkEnded(this, reason);
                return null;
            });
        }
    }

    private <T> T locked(Supplier<T> action) {
        server.lock.enter();
        try {
            return action.get();
        } finally {
            server.lock.exit();
        }
    }

    private long timeoutMillis() {
        return server.config.replication.replTimeout.get() * 1000L;
    }

    // ---- handshake ------------------------------------------------------------------------------

    private void sync() throws IOException {
        Socket s = new Socket();
        socket = s;
        if (cancelled) {
            return;
        }
        try {
            // bind-source-addr: the local address the link to the master leaves from.
            String source = server.config.network.bindSourceAddr.get();
            if (source != null && !source.isEmpty()) {
                s.bind(new InetSocketAddress(source, 0));
            }
            s.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, timeoutMillis()));
        } catch (UnknownHostException | ConnectException e) {
            throw new IOException("Error condition on socket for SYNC: " + describe(e));
        } catch (SocketTimeoutException e) {
            throw new IOException("Timeout connecting to the MASTER...");
        } catch (IllegalArgumentException e) {
            throw new IOException("Error condition on socket for SYNC: " + e.getMessage());
        }
        s.setTcpNoDelay(true);
        s.setSoTimeout(1000);
        in = new BufferedInputStream(s.getInputStream(), READ_CHUNK);
        out = s.getOutputStream();
        server.log.notice("MASTER <-> REPLICA sync started");
        locked(() -> {
            owner.handshaking(this);
            return null;
        });

        send("PING");
        String reply = readLine();
        if (reply.startsWith("-") && !reply.startsWith("-NOAUTH") && !reply.startsWith("-NOPERM")
                && !reply.startsWith("-ERR operation not permitted")) {
            throw new IOException("Error reply to PING from master: '" + reply + "'");
        }
        server.log.notice("Master replied to PING, replication can continue...");

        String pass = server.config.replication.masterauth.get();
        if (pass != null) {
            String user = server.config.replication.masteruser.get();
            if (user != null) {
                send("AUTH", user, pass);
            } else {
                send("AUTH", pass);
            }
            reply = readLine();
            if (reply.startsWith("-")) {
                throw new IOException("Unable to AUTH to MASTER: " + reply);
            }
        }
        int announcedPort = server.config.replication.replicaAnnouncePort.get();
        send("REPLCONF", "listening-port", Integer.toString(announcedPort != 0 ? announcedPort : server.port()));
        reply = readLine();
        if (reply.startsWith("-")) {
            server.log.notice("(Non critical) Master does not understand REPLCONF listening-port: " + reply);
        }
        String announcedIp = server.config.replication.replicaAnnounceIp.get();
        if (announcedIp != null) {
            send("REPLCONF", "ip-address", announcedIp);
            reply = readLine();
            if (reply.startsWith("-")) {
                server.log.notice("(Non critical) Master does not understand REPLCONF ip-address: " + reply);
            }
        }
        send("REPLCONF", "capa", "eof", "capa", "psync2");
        reply = readLine();
        if (reply.startsWith("-")) {
            server.log.notice("(Non critical) Master does not understand REPLCONF capa: " + reply);
        }

        String[] psync = locked(() -> owner.psyncArguments(this));
        send("PSYNC", psync[0], psync[1]);
        reply = readNonEmptyLine();
        if (reply.startsWith("+FULLRESYNC")) {
            String[] parts = reply.split(" ");
            String replId = parts.length > 1 && parts[1].length() == 40 ? parts[1] : null;
            long offset = parts.length > 2 ? parseLong(parts[2]) : -1;
            if (replId == null || offset < 0) {
                throw new IOException("Master replied with wrong +FULLRESYNC syntax.");
            }
            locked(() -> {
                owner.fullSyncStarting(this, replId, offset);
                return null;
            });
            fullSync(replId, offset);
        } else if (reply.startsWith("+CONTINUE")) {
            String newId = reply.length() > "+CONTINUE ".length() ? reply.substring("+CONTINUE ".length()).trim() : null;
            if (newId != null && newId.length() != 40) {
                newId = null;
            }
            String id = newId;
            locked(() -> {
                owner.continued(this, id);
                return null;
            });
            stream();
        } else if (reply.startsWith("-NOMASTERLINK") || reply.startsWith("-LOADING")) {
            throw new IOException("Master is currently unable to PSYNC but should be in the future: " + reply);
        } else {
            throw new IOException("Unexpected reply to PSYNC from master: " + reply);
        }
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        if (e instanceof UnknownHostException) {
            return "Name or service not known";
        }
        if (m != null && m.startsWith("Connection refused")) {
            return "Connection refused";
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // ---- the snapshot ---------------------------------------------------------------------------

    private void fullSync(String replId, long offset) throws IOException {
        String header = readNonEmptyLine();
        if (header.startsWith("-")) {
            throw new IOException("MASTER aborted replication with an error: " + header.substring(1));
        }
        if (!header.startsWith("$")) {
            throw new IOException("Bad protocol from MASTER, the first byte is not '$' (we received '" + header
                    + "'), are you sure the host and port are right?");
        }
        List<byte[]> chunks = new ArrayList<>();
        boolean eof = header.startsWith("$EOF:");
        if (eof) {
            byte[] mark = header.substring(5).getBytes(StandardCharsets.ISO_8859_1);
            if (mark.length != EOF_MARK_SIZE) {
                throw new IOException("Bad EOF mark from MASTER: " + header);
            }
            server.log.notice("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk");
            owner.transferSize = -1;
            readUntilMark(mark, chunks);
        } else {
            long size = parseLong(header.substring(1));
            if (size < 0) {
                throw new IOException("Bad protocol from MASTER, invalid bulk length: " + header);
            }
            server.log.notice("MASTER <-> REPLICA sync: receiving " + size + " bytes from master to disk");
            owner.transferSize = size;
            readExactly(size, chunks);
        }
        boolean loaded = locked(() -> owner.loadSnapshot(this, chunks, replId, offset));
        if (!loaded) {
            throw new IOException("MASTER <-> REPLICA sync: the snapshot could not be loaded");
        }
        if (eof) {
            // The master holds the stream back until we say the snapshot is in.
            sendAck(offset);
        }
        stream();
    }

    private void readExactly(long size, List<byte[]> chunks) throws IOException {
        long left = size;
        long lastIo = server.clock.millis();
        byte[] buf = new byte[(int) Math.min(READ_CHUNK, Math.max(1, left))];
        int fill = 0;
        while (left > 0) {
            int want = (int) Math.min(buf.length - fill, left);
            int n = readSome(buf, fill, want, lastIo);
            if (n == 0) {
                continue;
            }
            lastIo = server.clock.millis();
            owner.transferLastIoMillis = lastIo;
            fill += n;
            left -= n;
            owner.transferRead = size - left;
            if (fill == buf.length || left == 0) {
                chunks.add(fill == buf.length ? buf : Arrays.copyOf(buf, fill));
                buf = new byte[(int) Math.min(READ_CHUNK, Math.max(1, left))];
                fill = 0;
            }
        }
    }

    private void readUntilMark(byte[] mark, List<byte[]> chunks) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream(READ_CHUNK);
        byte[] buf = new byte[READ_CHUNK];
        long lastIo = server.clock.millis();
        byte[] tail = new byte[EOF_MARK_SIZE];
        while (true) {
            int n = readSome(buf, 0, buf.length, lastIo);
            if (n == 0) {
                continue;
            }
            lastIo = server.clock.millis();
            owner.transferLastIoMillis = lastIo;
            all.write(buf, 0, n);
            owner.transferRead = all.size();
            if (all.size() >= EOF_MARK_SIZE) {
                // Like Redis, only the end of what has arrived is compared with the mark.
                byte[] data = all.toByteArray();
                System.arraycopy(data, data.length - EOF_MARK_SIZE, tail, 0, EOF_MARK_SIZE);
                if (Arrays.equals(tail, mark)) {
                    int len = data.length - EOF_MARK_SIZE;
                    for (int off = 0; off < len; off += READ_CHUNK) {
                        chunks.add(Arrays.copyOfRange(data, off, Math.min(len, off + READ_CHUNK)));
                    }
                    return;
                }
            }
        }
    }

    /** Reads up to {@code len} bytes; 0 after a quiet second, an error after repl-timeout. */
    private int readSome(byte[] buf, int off, int len, long lastIo) throws IOException {
        try {
            int n = in.read(buf, off, len);
            if (n < 0) {
                throw new IOException("I/O error trying to sync with MASTER: connection lost");
            }
            return n;
        } catch (SocketTimeoutException e) {
            if (server.clock.millis() - lastIo > timeoutMillis()) {
                throw new IOException("Timeout receiving bulk data from MASTER... If the problem persists try to set the "
                        + "'repl-timeout' parameter in redis.conf to a larger value.");
            }
            return 0;
        }
    }

    // ---- the stream -----------------------------------------------------------------------------

    private void stream() throws IOException {
        RespParser parser = new RespParser();
        // The master's commands are exempt from the client limits (Redis checks them for
        // everyone but the master).
        parser.protoMaxBulkLen(Long.MAX_VALUE);
        parser.queryBufferLimit(Long.MAX_VALUE);
        ByteBuf raw = Unpooled.buffer(READ_CHUNK);
        byte[] buf = new byte[READ_CHUNK];
        int passFrom = 0;
        long lastIo = server.clock.millis();
        long lastAck = lastIo;
        try {
            while (!cancelled) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    n = 0;
                }
                if (n < 0) {
                    throw new IOException((String) null);
                }
                long now = server.clock.millis();
                if (n > 0) {
                    lastIo = now;
                    raw.writeBytes(buf, 0, n);
                }
                if (n > 0 || raw.isReadable()) {
                    // (Bytes may also be waiting from before a CLIENT PAUSE.)
                    int from = passFrom;
                    int next = locked(() -> owner.apply(this, raw, parser, from));
                    if (next < 0) {
                        return;
                    }
                    passFrom = next;
                    if (passFrom == raw.readerIndex()) {
                        raw.discardReadBytes();
                        passFrom = 0;
                    }
                }
                if (n == 0 && now - lastIo > timeoutMillis()) {
                    throw new IOException("MASTER timeout: no data nor PING received...");
                }
                long ack = locked(owner::takeAck);
                if (ack >= 0) {
                    sendAck(ack);
                    lastAck = now;
                }
                if (now - lastAck >= 1000) {
                    sendAck(locked(owner::applied));
                    lastAck = now;
                }
            }
        } finally {
            raw.release();
        }
    }

    private void sendAck(long offset) throws IOException {
        send("REPLCONF", "ACK", Long.toString(offset));
    }

    // ---- I/O helpers ----------------------------------------------------------------------------

    private void send(String... args) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append('*').append(args.length).append("\r\n");
        for (String a : args) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            sb.append('$').append(b.length).append("\r\n").append(new String(b, StandardCharsets.ISO_8859_1)).append("\r\n");
        }
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** One reply line (without CRLF), waiting at most repl-timeout. */
    private String readLine() throws IOException {
        long start = server.clock.millis();
        StringBuilder sb = new StringBuilder();
        while (true) {
            int b;
            try {
                b = in.read();
            } catch (SocketTimeoutException e) {
                if (server.clock.millis() - start > timeoutMillis()) {
                    throw new IOException("Timeout connecting to the MASTER...");
                }
                continue;
            }
            if (b < 0) {
                throw new IOException("Master closed the connection during the handshake");
            }
            if (b == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') {
                    sb.setLength(len - 1);
                }
                return sb.toString();
            }
            sb.append((char) b);
        }
    }

    /** Skips the newlines a master sends to keep the link alive while it prepares the snapshot. */
    private String readNonEmptyLine() throws IOException {
        while (true) {
            String line = readLine();
            if (!line.isEmpty()) {
                return line;
            }
            owner.lastIoMillis = server.clock.millis();
        }
    }
}
