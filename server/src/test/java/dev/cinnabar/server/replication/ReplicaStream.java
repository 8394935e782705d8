package dev.cinnabar.server.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A raw-socket replica for tests: attaches with SYNC or PSYNC, reads the snapshot (either
 * format) and then the replication stream command by command, as the upstream suite's
 * attach_to_replication_stream does.
 */
final class ReplicaStream implements AutoCloseable {
    final RespClient conn;
    /** The "+FULLRESYNC ..." or "+CONTINUE ..." line (PSYNC only). */
    String psyncReply;
    /** The snapshot as received (RDB bytes). */
    byte[] snapshot;
    /** Whether the snapshot came in the EOF-marker format. */
    boolean eofFormat;
    /** Stream bytes consumed after the snapshot (what the replica would acknowledge). */
    long consumed;

    private ReplicaStream(int port) throws IOException {
        conn = new RespClient(port);
        conn.setTimeout(5000);
    }

    /** SYNC: the old protocol, as the suite and redis-cli --replica use it. */
    static ReplicaStream sync(int port) throws IOException {
        ReplicaStream s = new ReplicaStream(port);
        s.conn.writeRaw("SYNC\r\n");
        s.readSnapshot();
        return s;
    }

    /** REPLCONF settings (each answered +OK), then PSYNC replid offset. */
    static ReplicaStream psync(int port, String replid, long offset, String... replconf) throws IOException {
        ReplicaStream s = new ReplicaStream(port);
        for (int i = 0; i < replconf.length; i += 2) {
            assertThat(s.conn.call("REPLCONF", replconf[i], replconf[i + 1])).isEqualTo("OK");
        }
        s.conn.send("PSYNC", replid, Long.toString(offset));
        s.psyncReply = s.conn.line();
        if (s.psyncReply.startsWith("+FULLRESYNC")) {
            s.readSnapshot();
        }
        return s;
    }

    private void readSnapshot() throws IOException {
        String header = conn.line();
        while (header.isEmpty()) {
            header = conn.line(); // newlines are keep-alives
        }
        assertThat(header).startsWith("$");
        if (header.startsWith("$EOF:")) {
            eofFormat = true;
            byte[] mark = header.substring(5).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(mark).hasSize(40);
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            while (true) {
                b.writeBytes(conn.readBytes(1));
                byte[] sofar = b.toByteArray();
                if (sofar.length >= 40 && Arrays.equals(sofar, sofar.length - 40, sofar.length, mark, 0, 40)) {
                    snapshot = Arrays.copyOf(sofar, sofar.length - 40);
                    return;
                }
            }
        }
        snapshot = conn.readBytes(Integer.parseInt(header.substring(1)));
    }

    /**
     * The next command of the stream, its name lower-cased as the suite compares it. PINGs
     * (sent on the replication cron's schedule, which a test cannot align with) are skipped.
     */
    List<String> next() throws IOException {
        while (true) {
            List<String> cmd = nextRaw();
            if (!cmd.equals(List.of("ping"))) {
                return cmd;
            }
        }
    }

    /** The next command of the stream, PINGs included. */
    @SuppressWarnings("unchecked")
    List<String> nextRaw() throws IOException {
        List<Object> cmd = (List<Object>) conn.read();
        List<String> out = new ArrayList<>();
        long bytes = 3 + Integer.toString(cmd.size()).length();
        for (Object o : cmd) {
            String a = (String) o;
            bytes += 5 + Integer.toString(a.length()).length() + a.length();
            out.add(out.isEmpty() ? a.toLowerCase() : a);
        }
        consumed += bytes;
        return out;
    }

    /**
     * Asserts the next commands, each given as one string of space-separated words where "*"
     * matches any one word (the suite's patterns, simplified).
     */
    void expect(String... patterns) throws IOException {
        List<List<String>> got = new ArrayList<>();
        boolean ok = true;
        for (String p : patterns) {
            List<String> cmd = next();
            got.add(cmd);
            List<String> want = List.of(p.split(" "));
            if (want.size() != cmd.size()) {
                ok = false;
                continue;
            }
            for (int i = 0; i < want.size(); i++) {
                if (!want.get(i).equals("*") && !want.get(i).equals(cmd.get(i))) {
                    ok = false;
                }
            }
        }
        assertThat(ok).as("stream %s matches %s", got, List.of(patterns)).isTrue();
    }

    /** Whether more stream bytes arrive within {@code millis} ms. */
    boolean hasMore(int millis) throws IOException {
        return conn.hasPending(millis);
    }

    @Override
    public void close() throws IOException {
        conn.close();
    }
}
