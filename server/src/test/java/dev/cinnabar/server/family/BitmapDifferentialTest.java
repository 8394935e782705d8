package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.ReferencePair;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Random bitmaps and random SETBIT/GETBIT/BITCOUNT/BITPOS/BITOP/BITFIELD commands, sent to both
 * Cinnabar and a real redis-server; every reply must be the same. Skipped without
 * {@code redis-server} on the PATH.
 *
 * <p>Values are biased towards what breaks bit code: runs of 0x00 and 0xff (BITPOS's "all
 * ones / all zeros" edges), lengths around word sizes, offsets near the end of the value,
 * field widths 1..64 at unaligned offsets, and increments near the overflow limits.
 */
class BitmapDifferentialTest {
    @RegisterExtension
    static final ReferencePair servers = ReferencePair.create().withClients();

    private static final String[] KEYS = {"bm:a", "bm:b", "bm:c", "bm:d"};

    private static int count;

    /** Runs one command on both servers and compares the decoded replies. */
    private static void both(Object... args) throws Exception {
        Object want = servers.ref().call(args);
        Object got = servers.cin().call(args);
        assertThat(got).as("command #%d %s", count, describe(args)).isEqualTo(want);
        count++;
    }

    private static String describe(Object[] args) {
        List<String> out = new ArrayList<>();
        for (Object a : args) {
            out.add(a instanceof byte[] b ? new String(b, StandardCharsets.ISO_8859_1) : String.valueOf(a));
        }
        return out.toString();
    }

    /** A random value: empty, short, word-sized or a few hundred bytes, in runs of 00/ff/random. */
    private static byte[] randomBitmap(Random r) {
        int len = switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1 -> 1 + r.nextInt(4);
            case 2 -> 7 + r.nextInt(3);
            case 3 -> 15 + r.nextInt(20);
            default -> r.nextInt(300);
        };
        byte[] b = new byte[len];
        int i = 0;
        while (i < len) {
            int run = 1 + r.nextInt(40);
            int kind = r.nextInt(4);
            for (int j = 0; j < run && i < len; j++, i++) {
                b[i] = switch (kind) {
                    case 0 -> 0;
                    case 1 -> (byte) 0xFF;
                    case 2 -> (byte) (r.nextBoolean() ? 0xFF : 0xFF << r.nextInt(8)); // mostly ones
                    default -> (byte) r.nextInt(256);
                };
            }
        }
        return b;
    }

    private static String key(Random r) {
        return KEYS[r.nextInt(KEYS.length)];
    }

    /** A range bound in bytes or bits for a value of about {@code len} bytes. */
    private static String bound(Random r, long len) {
        return switch (r.nextInt(8)) {
            case 0 -> Long.toString(-1 - r.nextInt(10));
            case 1 -> Long.toString(-r.nextLong(len + 20) - 1);
            case 2 -> Long.toString(len + r.nextInt(10) - 5);
            case 3 -> r.nextBoolean() ? "9223372036854775807" : "-9223372036854775808";
            default -> Long.toString(r.nextLong(len + 2));
        };
    }

    /** A BITCOUNT or BITPOS range in all the argument shapes (start; start end; start end unit). */
    private static void addRange(Random r, List<Object> cmd, int maxParts) {
        int parts = r.nextInt(maxParts + 1);
        boolean bits = r.nextBoolean();
        long len = 40L * (bits ? 8 : 1);
        for (int i = 0; i < parts; i++) {
            if (i < 2) {
                cmd.add(bound(r, len));
            } else {
                cmd.add(switch (r.nextInt(8)) {
                    case 0 -> "BYTE";
                    case 1 -> "bogus";
                    default -> bits ? "BIT" : "byte";
                });
            }
        }
    }

    private static String fieldType(Random r) {
        if (r.nextInt(40) == 0) {
            return switch (r.nextInt(5)) {
                case 0 -> "u64";
                case 1 -> "i65";
                case 2 -> "x8";
                case 3 -> "i0";
                default -> "u";
            };
        }
        boolean signed = r.nextBoolean();
        int bits = switch (r.nextInt(4)) {
            case 0 -> 1 + r.nextInt(8);
            case 1 -> signed ? 60 + r.nextInt(5) : 56 + r.nextInt(8);
            default -> 1 + r.nextInt(signed ? 64 : 63);
        };
        return (signed ? "i" : "u") + bits;
    }

    private static String fieldOffset(Random r) {
        return switch (r.nextInt(10)) {
            case 0 -> "#" + r.nextInt(40);
            case 1 -> Integer.toString(2000 + r.nextInt(200));
            case 2 -> r.nextBoolean() ? "-1" : "x";
            default -> Integer.toString(r.nextInt(2500));
        };
    }

    /** A value or increment: small, near a power of two, or at the 64-bit extremes. */
    private static String number(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> Long.toString(r.nextInt(200) - 100);
            case 1 -> {
                int p = r.nextInt(64);
                long v = (1L << p) + r.nextInt(5) - 2;
                yield Long.toString(r.nextBoolean() ? v : -v);
            }
            case 2 -> r.nextBoolean() ? "9223372036854775807" : "-9223372036854775808";
            default -> Long.toString(r.nextLong() >> r.nextInt(64));
        };
    }

    @Test
    void randomBitmapQueries() throws Exception {
        Random r = new Random(72_2026);
        for (String k : KEYS) {
            both("DEL", k);
        }
        for (int round = 0; round < 2500; round++) {
            int what = r.nextInt(20);
            List<Object> cmd = new ArrayList<>();
            switch (what) {
                case 0, 1 -> {
                    cmd.add("SET");
                    cmd.add(key(r));
                    cmd.add(r.nextInt(10) == 0 ? Long.toString(r.nextLong() >> r.nextInt(64)) : randomBitmap(r));
                }
                case 2 -> {
                    cmd.add("SETBIT");
                    cmd.add(key(r));
                    cmd.add(r.nextInt(30) == 0 ? "-1" : Integer.toString(r.nextInt(2600)));
                    cmd.add(r.nextInt(30) == 0 ? "2" : Integer.toString(r.nextInt(2)));
                }
                case 3 -> {
                    cmd.add("GETBIT");
                    cmd.add(key(r));
                    cmd.add(Integer.toString(r.nextInt(2600)));
                }
                case 4, 5, 6 -> {
                    cmd.add("BITCOUNT");
                    cmd.add(key(r));
                    addRange(r, cmd, r.nextInt(10) == 0 ? 4 : 3);
                }
                case 7, 8, 9, 10 -> {
                    cmd.add("BITPOS");
                    cmd.add(key(r));
                    cmd.add(r.nextInt(30) == 0 ? "2" : Integer.toString(r.nextInt(2)));
                    addRange(r, cmd, r.nextInt(10) == 0 ? 4 : 3);
                }
                case 11 -> {
                    String[] ops = {"AND", "OR", "XOR", "NOT", "and", "bogus"};
                    String op = ops[r.nextInt(ops.length)];
                    cmd.add("BITOP");
                    cmd.add(op);
                    cmd.add(key(r));
                    int n = op.equals("NOT") && r.nextInt(5) != 0 ? 1 : 1 + r.nextInt(4);
                    for (int i = 0; i < n; i++) {
                        cmd.add(r.nextInt(6) == 0 ? "bm:missing" : key(r));
                    }
                }
                case 12, 13, 14, 15, 16 -> {
                    cmd.add(r.nextInt(8) == 0 ? "BITFIELD_RO" : "BITFIELD");
                    cmd.add(key(r));
                    int n = 1 + r.nextInt(5);
                    for (int i = 0; i < n; i++) {
                        switch (r.nextInt(7)) {
                            case 0 -> {
                                cmd.add("OVERFLOW");
                                cmd.add(new String[] {"WRAP", "SAT", "FAIL", "sat", "bogus"}[r.nextInt(5)]);
                            }
                            case 1, 2 -> {
                                cmd.add("GET");
                                cmd.add(fieldType(r));
                                cmd.add(fieldOffset(r));
                            }
                            case 3, 4 -> {
                                cmd.add("SET");
                                cmd.add(fieldType(r));
                                cmd.add(fieldOffset(r));
                                cmd.add(number(r));
                            }
                            default -> {
                                cmd.add("INCRBY");
                                cmd.add(fieldType(r));
                                cmd.add(fieldOffset(r));
                                cmd.add(number(r));
                            }
                        }
                    }
                    if (r.nextInt(40) == 0) {
                        cmd.add("GET"); // a truncated operation: syntax error
                    }
                }
                case 17 -> {
                    cmd.add("STRLEN");
                    cmd.add(key(r));
                }
                default -> {
                    cmd.add("GET");
                    cmd.add(key(r));
                }
            }
            both(cmd.toArray());
        }
        // The final contents must agree too.
        for (String k : KEYS) {
            both("GET", k);
        }
    }

    /** Fields read back at every width and offset of a fixed pattern. */
    @Test
    void everyFieldWidthAndAlignment() throws Exception {
        byte[] pattern = new byte[24];
        Random r = new Random(5);
        r.nextBytes(pattern);
        both("SET", "bm:f", pattern);
        for (int bits = 1; bits <= 64; bits++) {
            List<Object> cmd = new ArrayList<>(Arrays.asList("BITFIELD_RO", "bm:f"));
            for (int off = 0; off < 24 * 8 + 9; off += 3) {
                cmd.add("GET");
                cmd.add("i" + bits);
                cmd.add(Integer.toString(off));
                if (bits < 64) {
                    cmd.add("GET");
                    cmd.add("u" + bits);
                    cmd.add(Integer.toString(off));
                }
            }
            both(cmd.toArray());
        }
    }

    /** BITPOS over strings of all ones or all zeros, with and without an end, in both units. */
    @Test
    void bitposOnUniformStrings() throws Exception {
        for (int len = 0; len <= 20; len++) {
            for (byte fill : new byte[] {0, (byte) 0xFF}) {
                byte[] v = new byte[len];
                Arrays.fill(v, fill);
                both("SET", "bm:u", v);
                for (int bit = 0; bit <= 1; bit++) {
                    String b = Integer.toString(bit);
                    both("BITPOS", "bm:u", b);
                    for (int start = -3; start <= len + 1; start++) {
                        String s = Integer.toString(start);
                        both("BITPOS", "bm:u", b, s);
                        both("BITPOS", "bm:u", b, s, "-1");
                        both("BITPOS", "bm:u", b, Integer.toString(start * 8 + 3), Integer.toString(len * 8 - 2), "BIT");
                        both("BITCOUNT", "bm:u", Integer.toString(start * 8 + 3), Integer.toString(len * 8 - 2), "BIT");
                    }
                }
            }
        }
    }
}
