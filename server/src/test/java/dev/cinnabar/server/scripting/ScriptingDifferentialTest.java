package dev.cinnabar.server.scripting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cinnabar.server.Server;
import dev.cinnabar.server.ServerClock;
import dev.cinnabar.server.testkit.RealRedisServer;
import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.TestServers;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the scripts and commands of {@code differential.txt} on Cinnabar and on a real
 * redis-server and compares the raw reply bytes: conversions, error texts and positions,
 * the sandbox, cjson / cmsgpack / bit / struct, FUNCTION. Skipped without redis-server.
 */
class ScriptingDifferentialTest {
    @Test
    void repliesAreByteIdentical() throws Exception {
        assumeTrue(RealRedisServer.available(), "redis-server is not installed");
        List<List<byte[]>> commands = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream("differential.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                List<byte[]> cmd = new ArrayList<>();
                if (line.startsWith("!")) {
                    for (String a : line.substring(1).split("\t")) {
                        cmd.add(a.replace("\\n", "\n").getBytes(StandardCharsets.ISO_8859_1));
                    }
                } else {
                    cmd.add("eval".getBytes(StandardCharsets.ISO_8859_1));
                    cmd.add(line.replace("\\n", "\n").getBytes(StandardCharsets.ISO_8859_1));
                    cmd.add("0".getBytes(StandardCharsets.ISO_8859_1));
                }
                commands.add(cmd);
            }
        }
        Server cinnabar = TestServers.start(new ServerClock(), "enable-debug-command yes\n");
        try (RealRedisServer redis = RealRedisServer.start()) {
            List<String> expected = run(redis.port(), commands);
            List<String> actual = run(cinnabar.port(), commands);
            List<String> diffs = new ArrayList<>();
            for (int i = 0; i < commands.size(); i++) {
                if (!expected.get(i).equals(actual.get(i))) {
                    diffs.add(describe(commands.get(i)) + "\n  redis:    " + expected.get(i) + "\n  cinnabar: "
                            + actual.get(i));
                }
            }
            assertThat(diffs).isEmpty();
        } finally {
            cinnabar.close();
        }
    }

    private static String describe(List<byte[]> cmd) {
        StringBuilder sb = new StringBuilder();
        for (byte[] a : cmd) {
            sb.append(new String(a, StandardCharsets.ISO_8859_1)).append(' ');
        }
        return sb.toString().trim();
    }

    private static List<String> run(int port, List<List<byte[]>> commands) throws IOException {
        List<String> out = new ArrayList<>();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream o = s.getOutputStream();
            for (List<byte[]> cmd : commands) {
                o.write(RespClient.encode((Object[]) cmd.toArray(new byte[0][])));
                o.flush();
                out.add(new String(readReply(in), StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }

    private static byte[] line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            b.write(c);
            if (c == '\n') {
                break;
            }
        }
        return b.toByteArray();
    }

    private static byte[] readReply(InputStream in) throws IOException {
        byte[] l = line(in);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(l);
        char t = (char) l[0];
        String num = new String(l, 1, l.length - 3, StandardCharsets.ISO_8859_1);
        switch (t) {
            case '$', '=' -> {
                int n = Integer.parseInt(num);
                if (n >= 0) {
                    b.writeBytes(in.readNBytes(n + 2));
                }
            }
            case '*', '~', '%', '>', '|' -> {
                int n = Integer.parseInt(num);
                int k = t == '%' || t == '|' ? 2 * n : n;
                for (int i = 0; i < k; i++) {
                    b.writeBytes(readReply(in));
                }
                if (t == '|') {
                    b.writeBytes(readReply(in));
                }
            }
            default -> { }
        }
        return b.toByteArray();
    }
}
