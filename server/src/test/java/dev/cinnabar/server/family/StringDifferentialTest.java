package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.ReferencePair;
import dev.cinnabar.server.testkit.RespClient;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sends the same command sequences to Cinnabar and to a real redis-server and compares the raw
 * reply bytes. Skipped when {@code redis-server} is not installed.
 *
 * <p>The reference installed here is Redis 7.0; the sequences only use behaviour that 7.0 and
 * 7.2 share for these commands.
 */
class StringDifferentialTest {
    @RegisterExtension
    static final ReferencePair servers = ReferencePair.create();

    /** A raw connection that returns each reply's exact bytes. */
    static final class Raw implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Raw(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        byte[] call(List<String> args) throws IOException {
            out.write(RespClient.encode(args.stream().map(a -> (Object) a.getBytes(StandardCharsets.ISO_8859_1)).toArray()));
            out.flush();
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            readReply(b);
            return b.toByteArray();
        }

        private String line(ByteArrayOutputStream b) throws IOException {
            StringBuilder sb = new StringBuilder();
            int ch;
            while ((ch = in.read()) != '\n') {
                if (ch < 0) {
                    throw new IOException("connection closed");
                }
                b.write(ch);
                sb.append((char) ch);
            }
            b.write('\n');
            return sb.substring(0, sb.length() - 1);
        }

        private void readReply(ByteArrayOutputStream b) throws IOException {
            int type = in.read();
            b.write(type);
            String line = line(b);
            switch (type) {
                case '$', '=', '!' -> {
                    int n = Integer.parseInt(line);
                    if (n >= 0) {
                        b.write(in.readNBytes(n + 2));
                    }
                }
                case '*', '~', '>', '%', '|' -> {
                    int n = Integer.parseInt(line);
                    if (type == '%' || type == '|') {
                        n *= 2;
                    }
                    for (int i = 0; i < n; i++) {
                        readReply(b);
                    }
                }
                default -> { }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Runs commands on both servers; HELLO replies (which name the server) are not compared. */
    private static void compare(List<List<String>> commands) throws IOException {
        try (Raw ref = new Raw(servers.redisPort()); Raw cin = new Raw(servers.cinnabarPort())) {
            int n = 0;
            for (List<String> cmd : commands) {
                byte[] want = ref.call(cmd);
                byte[] got = cin.call(cmd);
                if (cmd.get(0).equalsIgnoreCase("hello")) {
                    continue;
                }
                assertThat(new String(got, StandardCharsets.ISO_8859_1))
                        .as("command #%d %s", n, cmd)
                        .isEqualTo(new String(want, StandardCharsets.ISO_8859_1));
                n++;
            }
        }
    }

    private static List<String> cmd(String... a) {
        return List.of(a);
    }

    // ---- INCRBYFLOAT -------------------------------------------------------------------------

    /** A random number text: integers, decimals, exponents up to the long double limits, hex. */
    private static String randomNumber(Random r) {
        String sign = switch (r.nextInt(4)) {
            case 0 -> "-";
            case 1 -> "+";
            default -> "";
        };
        int kind = r.nextInt(10);
        if (kind < 3) {
            return sign + Math.abs(r.nextLong() >> r.nextInt(63));
        }
        if (kind < 6) {
            StringBuilder frac = new StringBuilder();
            int n = r.nextInt(30);
            for (int i = 0; i < n; i++) {
                frac.append((char) ('0' + r.nextInt(10)));
            }
            return sign + Math.abs(r.nextLong() >> r.nextInt(63)) + "." + frac;
        }
        if (kind < 8) {
            return sign + r.nextDouble() * 10 + "e" + (r.nextInt(9880) - 4950);
        }
        if (kind < 9) {
            return sign + (r.nextDouble() - 0.5) + "e" + (r.nextInt(61) - 30);
        }
        StringBuilder hex = new StringBuilder("0x");
        int n = 1 + r.nextInt(20);
        for (int i = 0; i < n; i++) {
            hex.append(Character.forDigit(r.nextInt(16), 16));
        }
        if (r.nextBoolean()) {
            hex.append('.').append(Character.forDigit(r.nextInt(16), 16));
        }
        if (r.nextBoolean()) {
            hex.append('p').append(r.nextInt(32900) - 16500);
        }
        return sign + hex;
    }

    @Test
    void randomIncrbyfloat() throws IOException {
        Random r = new Random(20260101);
        List<List<String>> cmds = new ArrayList<>();
        String[] keys = new String[8];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "diff:f" + i;
            cmds.add(cmd("DEL", keys[i]));
        }
        for (int i = 0; i < 1500; i++) {
            String k = keys[r.nextInt(keys.length)];
            if (r.nextInt(5) == 0) {
                cmds.add(cmd("SET", k, randomNumber(r)));
            }
            cmds.add(cmd("INCRBYFLOAT", k, randomNumber(r)));
            if (r.nextInt(10) == 0) {
                cmds.add(cmd("GET", k));
            }
        }
        compare(cmds);
    }

    @Test
    void incrbyfloatEdgeCases() throws IOException {
        String[] values = {"0", "-0", "0.1", "1e-17", "5e-18", "6e-18", "0.000003814697265625", "0.000011444091796875",
            "1.18973149535723176502e+4932", "1.18973149535723176508e+4932", "0x1.fffffffffffffffep16383", "0x1p16384",
            "0x1p-16445", "0x1p-16446", "1e-4951", "2e-4951", "inf", "-INFINITY", "nan", "1e", "0x", "0x.8", ".5", "5.",
            " 1", "1 ", "1\u0000", "1_0", "0e99999999999999999999", "1e-99999999999999999999", "9223372036854775807",
            "-9223372036854775808", "123456789012345678901234567890", "0.999999999999999995", "1" + "0".repeat(5119),
            "1" + "0".repeat(5118)};
        List<List<String>> cmds = new ArrayList<>();
        for (String a : values) {
            cmds.add(cmd("SET", "diff:e", a));
            cmds.add(cmd("INCRBYFLOAT", "diff:e", "0"));
            cmds.add(cmd("DEL", "diff:e"));
            cmds.add(cmd("INCRBYFLOAT", "diff:e", a));
            for (String b : new String[] {"0.1", "-0.1", "1e308", "-1e-17"}) {
                cmds.add(cmd("INCRBYFLOAT", "diff:e", b));
            }
        }
        compare(cmds);
    }

    // ---- LCS -------------------------------------------------------------------------------------

    @Test
    void randomLcsInBothProtocols() throws IOException {
        Random r = new Random(99);
        List<String[]> options = List.of(new String[0], new String[] {"LEN"}, new String[] {"IDX"},
                new String[] {"IDX", "WITHMATCHLEN"}, new String[] {"IDX", "MINMATCHLEN", "2"},
                new String[] {"WITHMATCHLEN", "IDX", "MINMATCHLEN", "3"}, new String[] {"MINMATCHLEN", "-1", "IDX"},
                new String[] {"LEN", "IDX"}, new String[] {"IDX", "MINMATCHLEN"}, new String[] {"WITHMATCHLEN"});
        List<List<String>> cmds = new ArrayList<>();
        for (String proto : new String[] {"2", "3"}) {
            cmds.add(cmd("HELLO", proto));
            for (int i = 0; i < 150; i++) {
                cmds.add(cmd("SET", "diff:a{t}", randomText(r, "ACGT", 60)));
                cmds.add(cmd("SET", "diff:b{t}", randomText(r, "ACGT", 60)));
                String[] o = options.get(r.nextInt(options.size()));
                List<String> c = new ArrayList<>(List.of("LCS", "diff:a{t}", r.nextInt(20) == 0 ? "diff:none{t}" : "diff:b{t}"));
                c.addAll(List.of(o));
                cmds.add(c);
            }
        }
        compare(cmds);
    }

    private static String randomText(Random r, String alphabet, int maxLen) {
        int n = r.nextInt(maxLen + 1);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    // ---- ranges --------------------------------------------------------------------------------

    @Test
    void getrangeAndSetrangeEdgeOffsets() throws IOException {
        String[] offsets = {"0", "1", "2", "3", "4", "5", "10", "-1", "-2", "-4", "-5", "-6", "-100", "100",
            "2147483647", "-2147483648", "4294967297", "9223372036854775807", "-9223372036854775808", "x", ""};
        String[] values = {"", "1234", "-5", "Hello", "x".repeat(44), "x".repeat(45)};
        List<List<String>> cmds = new ArrayList<>();
        for (String v : values) {
            for (String start : offsets) {
                for (String end : offsets) {
                    cmds.add(cmd("SET", "diff:r", v));
                    cmds.add(cmd("GETRANGE", "diff:r", start, end));
                }
                cmds.add(cmd("GETRANGE", "diff:missing", start, "-1"));
                cmds.add(cmd("SET", "diff:r", v));
                cmds.add(cmd("SETRANGE", "diff:r", start, "ab"));
                cmds.add(cmd("GET", "diff:r"));
                cmds.add(cmd("SETRANGE", "diff:r", start, ""));
                cmds.add(cmd("DEL", "diff:s"));
                cmds.add(cmd("SETRANGE", "diff:s", start, "Z"));
                cmds.add(cmd("SETRANGE", "diff:s", start, ""));
                cmds.add(cmd("GET", "diff:s"));
            }
        }
        compare(cmds);
    }

    @Test
    void randomStringEdits() throws IOException {
        Random r = new Random(5);
        String[] keys = {"diff:s0", "diff:s1", "diff:s2"};
        List<List<String>> cmds = new ArrayList<>();
        cmds.add(cmd("DEL", keys[0], keys[1], keys[2]));
        for (int i = 0; i < 2000; i++) {
            String k = keys[r.nextInt(keys.length)];
            switch (r.nextInt(10)) {
                case 0 -> cmds.add(cmd("SET", k, randomText(r, "ab1 \u0000", 50)));
                case 1 -> cmds.add(cmd("APPEND", k, randomText(r, "xyz9", 8)));
                case 2 -> cmds.add(cmd("SETRANGE", k, Integer.toString(r.nextInt(70)), randomText(r, "PQ", 6)));
                case 3 -> cmds.add(cmd("GETRANGE", k, Integer.toString(r.nextInt(140) - 70), Integer.toString(r.nextInt(140) - 70)));
                case 4 -> cmds.add(cmd("STRLEN", k));
                case 5 -> cmds.add(cmd("SET", k, Integer.toString(r.nextInt(2001) - 1000)));
                case 6 -> cmds.add(cmd("INCRBY", k, Integer.toString(r.nextInt(201) - 100)));
                case 7 -> cmds.add(cmd("GETSET", k, randomText(r, "01", 3)));
                case 8 -> cmds.add(cmd("MGET", keys[0], keys[1], keys[2], "diff:none"));
                default -> cmds.add(cmd("GETDEL", k));
            }
        }
        compare(cmds);
    }

    // ---- errors and replies -------------------------------------------------------------------

    @Test
    void errorRepliesMatch() throws IOException {
        List<List<String>> cmds = new ArrayList<>();
        String[][] seq = {
            {"DEL", "diff:x", "diff:c", "diff:g", "diff:e"},
            {"SET", "diff:c", "9223372036854775807"}, {"INCR", "diff:c"}, {"INCRBY", "diff:c", "-1"},
            {"SET", "diff:c", "-9223372036854775808"}, {"DECR", "diff:c"}, {"DECRBY", "diff:c", "-9223372036854775808"},
            {"INCRBY", "diff:c", "abc"}, {"INCRBY", "diff:c", "9223372036854775808"}, {"SET", "diff:c", " 1"},
            {"INCR", "diff:c"}, {"INCRBYFLOAT", "diff:c", "1"}, {"SET", "diff:c", "0"}, {"INCRBYFLOAT", "diff:c", "inf"},
            {"MSET", "diff:x", "1", "diff:y"}, {"MSETNX", "diff:x"}, {"MSET", "diff:x"},
            {"SETEX", "diff:e", "0", "v"}, {"SETEX", "diff:e", "-1", "v"}, {"SETEX", "diff:e", "abc", "v"},
            {"SETEX", "diff:e", "9223372036854775807", "v"}, {"PSETEX", "diff:e", "0", "v"},
            {"PSETEX", "diff:e", "9223372036854775807", "v"}, {"SETEX", "diff:e", "100", "v"},
            {"GETEX", "diff:e", "persist"}, {"GETEX", "diff:e", "ex", "0"}, {"GETEX", "diff:nokey", "ex", "0"},
            {"GETEX", "diff:e", "ex", "10", "px", "10"}, {"GETEX", "diff:e", "ex"}, {"GETEX", "diff:e", "pxat", "1"},
            {"EXISTS", "diff:e"}, {"GETEX"}, {"GETSET", "diff:g", "1"}, {"GETSET", "diff:g", "2"},
            {"GETDEL", "diff:g"}, {"GETDEL", "diff:g"}, {"SETNX", "diff:g", "1"}, {"SETNX", "diff:g", "2"},
            {"SET", "diff:x", "2", "nx", "xx"}, {"SET", "diff:x", "2", "ex", "10", "px", "10"},
            {"SET", "diff:x", "2", "ex", "10", "keepttl"}, {"SET", "diff:x", "2", "get", "get", "nx"},
            {"SET", "diff:x", "2", "ex", "-1"}, {"SET", "diff:x", "2", "exat", "9223372036854775807"},
            {"SET", "diff:x", "2", "ex", "9223372036854775"}, {"SET", "diff:x", "2", "ex", "9223372036854776"},
            {"SET", "diff:x", "2", "foo"}, {"SETRANGE", "diff:x", "-1", "a"}, {"SETRANGE", "diff:x", "536870912", "a"},
            {"SETRANGE", "diff:x", "9223372036854775807", "a"},
            {"LCS", "diff:x", "diff:g", "IDX", "LEN"}, {"LCS", "diff:x", "diff:g", "MINMATCHLEN", "x"},
            {"LCS", "diff:x", "diff:g", "FOO"}, {"APPEND", "diff:x", ""}, {"STRLEN", "diff:x"},
            {"GET"}, {"SET", "diff:x"}, {"INCR"}, {"APPEND", "diff:x"}, {"GETRANGE", "diff:x", "0"},
        };
        for (String[] s : seq) {
            cmds.add(List.of(s));
        }
        compare(cmds);
    }
}
