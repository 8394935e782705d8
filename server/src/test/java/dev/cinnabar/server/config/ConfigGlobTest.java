package dev.cinnabar.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** stringmatchlen semantics, including its corner cases. */
class ConfigGlobTest {

    private static boolean m(String pattern, String s) {
        return ConfigGlob.matches(pattern, s, false);
    }

    @Test
    void basics() {
        assertThat(m("*", "anything")).isTrue();
        assertThat(m("*", "")).isFalse(); // Redis: a star needs a non-empty string to start matching
        assertThat(m("", "")).isTrue();
        assertThat(m("a*b", "ab")).isTrue();
        assertThat(m("a*b", "axxb")).isTrue();
        assertThat(m("a*b", "axxc")).isFalse();
        assertThat(m("a**", "a")).isTrue();
        assertThat(m("?", "")).isFalse();
        assertThat(m("h?llo", "hello")).isTrue();
        assertThat(m("h?llo", "hllo")).isFalse();
    }

    @Test
    void classes() {
        assertThat(m("h[ae]llo", "hallo")).isTrue();
        assertThat(m("h[ae]llo", "hillo")).isFalse();
        assertThat(m("h[^e]llo", "hallo")).isTrue();
        assertThat(m("h[^e]llo", "hello")).isFalse();
        assertThat(m("h[a-b]llo", "hbllo")).isTrue();
        assertThat(m("h[b-a]llo", "hbllo")).isTrue(); // reversed range
        assertThat(m("[\\]]", "]")).isTrue();
        assertThat(m("[abc", "a")).isTrue(); // unterminated class ends at the pattern end
        assertThat(m("[abc", "d")).isFalse();
        assertThat(m("a[", "a")).isFalse();
    }

    @Test
    void escapes() {
        assertThat(m("\\*", "*")).isTrue();
        assertThat(m("\\*", "a")).isFalse();
        assertThat(m("a\\", "a\\")).isTrue(); // trailing backslash is literal
    }

    @Test
    void nocase() {
        assertThat(ConfigGlob.matches("HELLO*", "hello world", true)).isTrue();
        assertThat(ConfigGlob.matches("[A-C]x", "bx", true)).isTrue();
        assertThat(ConfigGlob.matches("[A-C]x", "bx", false)).isFalse();
        // Escaped chars inside a class compare case-sensitively even in nocase mode.
        assertThat(ConfigGlob.matches("[\\A]", "a", true)).isFalse();
    }

    @Test
    void manyStarsStayFast() {
        String pattern = "a*".repeat(30) + "b";
        String s = "a".repeat(60);
        long start = System.nanoTime();
        assertThat(m(pattern, s)).isFalse();
        assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
    }
}
