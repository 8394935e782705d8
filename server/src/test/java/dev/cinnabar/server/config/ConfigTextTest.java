package dev.cinnabar.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The C-compatible text primitives. */
class ConfigTextTest {

    @Test
    void splitArgsFollowsSdssplitargs() {
        assertThat(ConfigText.splitArgs("  set  key \"va lue\"  ")).containsExactly("set", "key", "va lue");
        assertThat(ConfigText.splitArgs("\"\\x41\\x4a\\n\\\\\" 'a\\'b' '\\n'")).containsExactly("AJ\n\\", "a'b", "\\n");
        assertThat(ConfigText.splitArgs("a\"b c\" d")).containsExactly("ab c", "d"); // quotes may start mid-word
        assertThat(ConfigText.splitArgs("\"a\"b")).isNull(); // closing quote must end the word
        assertThat(ConfigText.splitArgs("'a")).isNull();
        assertThat(ConfigText.splitArgs("\"\\x4\"")).containsExactly("x4"); // incomplete hex: plain escape
        assertThat(ConfigText.splitArgs("")).isEmpty();
        assertThat(ConfigText.splitArgs("\"\"")).containsExactly("");
        assertThat(ConfigText.splitArgs("a\u000Bb")).containsExactly("a\u000Bb"); // \v does not separate words
    }

    @Test
    void reprRoundTripsThroughSplitArgs() {
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            char[] chars = new char[random.nextInt(12)];
            for (int j = 0; j < chars.length; j++) chars[j] = (char) random.nextInt(256);
            String s = new String(chars);
            assertThat(ConfigText.splitArgs(ConfigText.repr(s))).containsExactly(s);
        }
        assertThat(ConfigText.repr("a\"b\\\n\u0001\u00e9")).isEqualTo("\"a\\\"b\\\\\\n\\x01\\xe9\"");
    }

    @Test
    void string2llIsStrict() {
        assertThat(ConfigText.string2ll("0")).isZero();
        assertThat(ConfigText.string2ll("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(ConfigText.string2ll("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        for (String bad : new String[] {"", "-", "-0", "01", "+1", " 1", "1 ", "9223372036854775808", "1a"}) {
            assertThat(ConfigText.string2ll(bad)).as(bad).isNull();
        }
    }

    @Test
    void strtollLikeC() {
        assertThat(ConfigText.strtoll("  -12x", 10)).isEqualTo(new ConfigText.StrtolResult(-12, 5, false));
        assertThat(ConfigText.strtoll("x", 10)).isEqualTo(new ConfigText.StrtolResult(0, 0, false));
        assertThat(ConfigText.strtoll("99999999999999999999", 10).value()).isEqualTo(Long.MAX_VALUE);
        assertThat(ConfigText.strtoll("99999999999999999999", 10).overflow()).isTrue();
        assertThat(ConfigText.strtoll("-9223372036854775808", 10).overflow()).isFalse();
        assertThat(ConfigText.strtoll("777", 8).value()).isEqualTo(511);
    }

    @Test
    void memToUll() {
        assertThat(ConfigText.memToULL("5")).isEqualTo(5);
        assertThat(ConfigText.memToULL("5K")).isEqualTo(5000);
        assertThat(ConfigText.memToULL("5kB")).isEqualTo(5120);
        assertThat(ConfigText.memToULL("")).isZero();
        assertThat(ConfigText.memToULL("gb")).isZero();
        assertThat(ConfigText.memToULL("-1")).isNull();
        assertThat(ConfigText.memToULL("1tb")).isNull();
        assertThat(ConfigText.memToULL("18446744073709551615")).isEqualTo(-1L);
    }

    @Test
    void string2d() {
        assertThat(ConfigText.string2d("1.5")).isEqualTo(1.5);
        assertThat(ConfigText.string2d("1e2")).isEqualTo(100.0);
        assertThat(ConfigText.string2d(".5")).isEqualTo(0.5);
        assertThat(ConfigText.string2d("5.")).isEqualTo(5.0);
        assertThat(ConfigText.string2d("0x10")).isEqualTo(16.0);
        assertThat(ConfigText.string2d("-inf")).isEqualTo(Double.NEGATIVE_INFINITY);
        for (String bad : new String[] {"", " 1", "1 ", "nan", "1e", "1e999", "1e-999", "abc", "1f", "1d"}) {
            assertThat(ConfigText.string2d(bad)).as(bad).isNull();
        }
    }

    @Test
    void absolutePathLikeRedis() {
        assertThat(ConfigText.absolutePath("r.conf", "/a/b")).isEqualTo("/a/b/r.conf");
        assertThat(ConfigText.absolutePath(" ../../x/r.conf\n", "/a/b")).isEqualTo("/x/r.conf");
        assertThat(ConfigText.absolutePath("../../../r.conf", "/a")).isEqualTo("/r.conf");
        assertThat(ConfigText.absolutePath("./x/../r.conf", "/a/")).isEqualTo("/a/./x/../r.conf");
        assertThat(ConfigText.absolutePath("/abs/r.conf", "/a")).isEqualTo("/abs/r.conf");
    }

    @Test
    void formatting() {
        assertThat(ConfigText.formatTrimmedDouble(50)).isEqualTo("50");
        assertThat(ConfigText.formatTrimmedDouble(99.9)).isEqualTo("99.9");
        assertThat(ConfigText.formatTrimmedDouble(0.0000005)).isEqualTo("0"); // binary value is just below 5e-7
        assertThat(ConfigText.formatTrimmedDouble(0.0000015)).isEqualTo("0.000002");
        assertThat(ConfigText.formatMemory(0)).isEqualTo("0");
        assertThat(ConfigText.formatMemory(1536)).isEqualTo("1536");
        assertThat(ConfigText.formatMemory(2048)).isEqualTo("2kb");
        assertThat(ConfigText.formatMemory(3L << 20)).isEqualTo("3mb");
        assertThat(ConfigText.formatMemory(4L << 30)).isEqualTo("4gb");
        assertThat(ConfigText.formatMemory(-1)).isEqualTo("-1");
        assertThat(ConfigText.asciiLower("PoRt\u00c9")).isEqualTo("port\u00c9");
    }
}
