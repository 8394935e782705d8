package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.ReferencePair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Random sequences of list commands sent to Cinnabar and to a real redis-server, comparing the
 * raw reply bytes and, after each sequence, DEBUG DIGEST-VALUE of the lists. Skipped when
 * {@code redis-server} is not installed.
 *
 * <p>The reference here is Redis 7.0, whose lists are always quicklists: encodings are checked
 * elsewhere, and the sequences avoid the few replies that changed in 7.2 (LPOS RANK of
 * LLONG_MIN, hexadecimal timeouts).
 */
class ListDifferentialTest {
    @RegisterExtension
    static final ReferencePair servers = ReferencePair.create().debugCommand();

    private static final String[] KEYS = {"a", "b"};

    private static String element(Random r) {
        return switch (r.nextInt(10)) {
            case 0, 1, 2 -> Integer.toString(r.nextInt(400) - 100);
            case 3 -> Long.toString(r.nextLong());
            case 4, 5, 6 -> "e" + r.nextInt(30);
            case 7 -> "m".repeat(50 + r.nextInt(400)) + r.nextInt(5);
            case 8 -> "";
            default -> "L".repeat(3000 + r.nextInt(7000)) + r.nextInt(3);
        };
    }

    private static String index(Random r) {
        return Integer.toString(r.nextInt(30) - 15);
    }

    private static List<String> randomCommand(Random r) {
        String k = KEYS[r.nextInt(KEYS.length)];
        String other = KEYS[r.nextInt(KEYS.length)];
        String side = r.nextBoolean() ? "LEFT" : "RIGHT";
        String side2 = r.nextBoolean() ? "left" : "right";
        return switch (r.nextInt(22)) {
            case 0, 1, 2 -> List.of("LPUSH", k, element(r), element(r));
            case 3, 4, 5 -> List.of("RPUSH", k, element(r));
            case 6 -> List.of(r.nextBoolean() ? "LPUSHX" : "RPUSHX", k, element(r));
            case 7 -> List.of(r.nextBoolean() ? "LPOP" : "RPOP", k);
            case 8 -> List.of(r.nextBoolean() ? "LPOP" : "RPOP", k, Integer.toString(r.nextInt(4)));
            case 9 -> List.of("LLEN", k);
            case 10 -> List.of("LINDEX", k, index(r));
            case 11 -> List.of("LSET", k, index(r), element(r));
            case 12 -> List.of("LRANGE", k, index(r), index(r));
            case 13 -> List.of("LTRIM", k, Integer.toString(r.nextInt(5) - 1), Integer.toString(-1 - r.nextInt(5)));
            case 14 -> List.of("LINSERT", k, r.nextBoolean() ? "BEFORE" : "AFTER", element(r), element(r));
            case 15 -> List.of("LREM", k, Integer.toString(r.nextInt(5) - 2), element(r));
            case 16 -> lpos(r, k);
            case 17 -> List.of("LMOVE", k, other, side, side2);
            case 18 -> List.of("RPOPLPUSH", k, other);
            case 19 -> r.nextBoolean() ? List.of("LMPOP", "2", k, other, side, "COUNT", Integer.toString(1 + r.nextInt(4)))
                    : List.of("LMPOP", "1", k, side);
            case 20 -> r.nextBoolean() ? List.of("BLPOP", k, other, "0.01") : List.of("BLMOVE", k, other, side, side2, "0.01");
            default -> List.of("LRANGE", k, "0", "-1");
        };
    }

    private static List<String> lpos(Random r, String k) {
        List<String> c = new ArrayList<>(List.of("LPOS", k, element(r)));
        if (r.nextBoolean()) {
            c.addAll(List.of("RANK", Integer.toString(r.nextBoolean() ? 1 + r.nextInt(3) : -1 - r.nextInt(3))));
        }
        if (r.nextBoolean()) {
            c.addAll(List.of("COUNT", Integer.toString(r.nextInt(3))));
        }
        if (r.nextInt(3) == 0) {
            c.addAll(List.of("MAXLEN", Integer.toString(r.nextInt(6))));
        }
        return c;
    }

    @Test
    void randomListCommandSequencesMatchRedis() throws IOException {
        Random r = new Random(20240607);
        String[] fills = {"-2", "4", "1", "-1", "128"};
        try (StringDifferentialTest.Raw ref = new StringDifferentialTest.Raw(servers.redisPort());
                StringDifferentialTest.Raw cin = new StringDifferentialTest.Raw(servers.cinnabarPort())) {
            for (int round = 0; round < 24; round++) {
                List<List<String>> setup = List.of(List.of("FLUSHALL"),
                        List.of("CONFIG", "SET", "list-max-listpack-size", fills[round % fills.length]),
                        List.of("CONFIG", "SET", "list-compress-depth", Integer.toString(round % 3)),
                        List.of("HELLO", round % 4 == 3 ? "3" : "2"));
                for (List<String> cmd : setup) {
                    ref.call(cmd);
                    cin.call(cmd);
                }
                for (int i = 0; i < 150; i++) {
                    List<String> cmd = randomCommand(r);
                    byte[] want = ref.call(cmd);
                    byte[] got = cin.call(cmd);
                    assertThat(text(got)).as("round %d command #%d %s", round, i, abbreviate(cmd)).isEqualTo(text(want));
                }
                List<String> digest = List.of("DEBUG", "DIGEST-VALUE", "a", "b");
                assertThat(text(cin.call(digest))).as("digest after round %d", round).isEqualTo(text(ref.call(digest)));
            }
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static String abbreviate(List<String> cmd) {
        List<String> out = new ArrayList<>();
        for (String s : cmd) {
            out.add(s.length() > 20 ? s.substring(0, 8) + "..(" + s.length() + ")" : s);
        }
        return out.toString();
    }
}
