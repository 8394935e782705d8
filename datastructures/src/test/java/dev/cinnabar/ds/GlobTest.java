package dev.cinnabar.ds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GlobTest {
    private static boolean m(String pattern, String s) {
        return Glob.match(pattern, s, false);
    }

    private static boolean mi(String pattern, String s) {
        return Glob.match(pattern, s, true);
    }

    @Test
    void wildcards() {
        assertThat(m("h?llo", "hello")).isTrue();
        assertThat(m("h?llo", "hllo")).isFalse();
        assertThat(m("h*llo", "hllo")).isTrue();
        assertThat(m("h*llo", "heeeello")).isTrue();
        assertThat(m("h*llo", "hellox")).isFalse();
        assertThat(m("a*b", "acb")).isTrue();
        assertThat(m("a*b", "ac")).isFalse();
        assertThat(m("*a", "ba")).isTrue();
        assertThat(m("a**b", "ab")).isTrue();
        assertThat(m("a*", "a")).isTrue();
        assertThat(m("a*?", "a")).isFalse();
        assertThat(m("", "")).isTrue();
        assertThat(m("", "a")).isFalse();
    }

    @Test
    void starDoesNotMatchTheEmptyString() {
        // Redis quirk: with an empty string the matching loop never runs, so only an empty
        // pattern matches it (KEYS * is special-cased by the server, not by the matcher).
        assertThat(m("*", "")).isFalse();
        assertThat(m("**", "")).isFalse();
        assertThat(m("*", "x")).isTrue();
        assertThat(Glob.matchesAll(bytes("**"), 0, 2)).isTrue();
        assertThat(Glob.matchesAll(bytes("*a"), 0, 2)).isFalse();
    }

    @Test
    void sets() {
        assertThat(m("h[ae]llo", "hello")).isTrue();
        assertThat(m("h[ae]llo", "hallo")).isTrue();
        assertThat(m("h[ae]llo", "hillo")).isFalse();
        assertThat(m("h[^e]llo", "hallo")).isTrue();
        assertThat(m("h[^e]llo", "hello")).isFalse();
        assertThat(m("h[a-b]llo", "hbllo")).isTrue();
        assertThat(m("h[a-b]llo", "hcllo")).isFalse();
        assertThat(m("h[b-a]llo", "hallo")).as("reversed range").isTrue();
        assertThat(m("[^a]", "a")).isFalse();
        assertThat(m("[^a]", "b")).isTrue();
        assertThat(m("[^a-c]", "d")).isTrue();
        assertThat(m("[^a-c]", "b")).isFalse();
    }

    @Test
    void setQuirks() {
        // '-' ranges to whatever follows, even ']': [a-] is the range ]..a, unclosed.
        assertThat(m("[a-]", "a")).isTrue();
        assertThat(m("[a-]", "]")).isTrue();
        assertThat(m("[a-]", "_")).isTrue();
        assertThat(m("[a-]", "-")).isFalse();
        // [] is an empty set: matches nothing; the ']' right after '[' closes it.
        assertThat(m("[]", "]")).isFalse();
        assertThat(m("[]", "")).isFalse();
        assertThat(m("[]a]", "a]")).isFalse();
        // Unclosed sets run to the end of the pattern.
        assertThat(m("[abc", "b")).isTrue();
        assertThat(m("[abc", "bc")).isFalse();
        assertThat(m("[^", "x")).as("unclosed empty complement matches any byte").isTrue();
        assertThat(m("[", "x")).isFalse();
        // Escapes inside sets.
        assertThat(m("[\\]]", "]")).isTrue();
        assertThat(m("[\\-]", "-")).isTrue();
        assertThat(m("[\\-]", "a")).isFalse();
        assertThat(m("x[a\\", "x\\")).as("trailing backslash in a set is literal").isTrue();
    }

    @Test
    void escapes() {
        assertThat(m("\\*", "*")).isTrue();
        assertThat(m("\\*", "a")).isFalse();
        assertThat(m("\\?", "?")).isTrue();
        assertThat(m("\\?", "x")).isFalse();
        assertThat(m("a\\[b", "a[b")).isTrue();
        assertThat(m("a\\", "a\\")).as("trailing backslash matches a backslash").isTrue();
        assertThat(m("a\\", "a")).isFalse();
        assertThat(m("\\a", "a")).isTrue();
    }

    @Test
    void nocase() {
        assertThat(m("HELLO", "hello")).isFalse();
        assertThat(mi("HELLO", "hello")).isTrue();
        assertThat(mi("h*O", "HELLO")).isTrue();
        assertThat(mi("[A-Z]", "q")).isTrue();
        assertThat(m("[A-Z]", "q")).isFalse();
        assertThat(mi("[a-z]", "Q")).isTrue();
        assertThat(mi("[Q]", "q")).isTrue();
        // Escaped set members compare exactly, even without case.
        assertThat(mi("[\\Q]", "q")).isFalse();
        assertThat(mi("\\Q", "q")).as("escape outside sets does fold case").isTrue();
        // Only ASCII letters fold.
        assertThat(mi("[", "{")).isFalse();
        assertThat(mi("@", "`")).isFalse();
    }

    @Test
    void highBytesCompareSigned() {
        // C char is signed on x86: 0xE9 sorts below 'a' in ranges.
        byte[] s = {(byte) 0xE9};
        assertThat(Glob.match(new byte[] {'[', (byte) 0xE0, '-', 'a', ']'}, s)).isTrue();
        assertThat(Glob.match(new byte[] {'[', 'a', '-', 'z', ']'}, s)).isFalse();
        assertThat(Glob.match(new byte[] {'?'}, s)).isTrue();
    }

    @Test
    void subranges() {
        byte[] p = bytes("xxa*cyy");
        byte[] s = bytes("--abc--");
        assertThat(Glob.match(p, 2, 3, s, 2, 3, false)).isTrue();
        assertThat(Glob.match(p, 2, 3, s, 2, 4, false)).isFalse();
        // Bytes beyond the ranges must be invisible (no reading past pLen).
        assertThat(Glob.match(bytes("a**"), 0, 2, bytes("ab"), 0, 2, false)).isTrue();
        assertThat(Glob.match(bytes("[ab]"), 0, 3, bytes("b"), 0, 1, false)).isTrue();
        assertThat(Glob.match(bytes("\\*"), 0, 1, bytes("\\"), 0, 1, false)).isTrue();
    }

    @Test
    void nestedStarsOverLongStringsFinishFast() {
        // Redis keyspace.tcl "Regression for pattern matching long nested loops".
        assertThat(timed(() -> m("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "a".repeat(40))))
                .isFalse();
        // A few hundred a* against 10k bytes: exponential without the early exit.
        String aStars = "a*".repeat(300);
        String longA = "a".repeat(10_000);
        assertThat(timed(() -> m(aStars + "b", longA))).isFalse();
        assertThat(timed(() -> m(aStars, longA))).isTrue();
        assertThat(timed(() -> m(aStars + "a", longA))).isTrue();
    }

    @Test
    void veryLongNestingIsCappedAndFinishesFast() {
        // Redis keyspace.tcl "Regression for pattern matching very long nested loops":
        // 50000 "*?" against 50000 'a': the nesting cap makes it fail, quickly.
        assertThat(timed(() -> m("*?".repeat(50_000), "a".repeat(50_000)))).isFalse();
        // Under the cap the same shape matches.
        assertThat(m("*?".repeat(500), "a".repeat(600))).isTrue();
    }

    private static boolean timed(java.util.function.BooleanSupplier check) {
        // Preemptive, so that a regression to exponential time fails instead of hanging.
        return assertTimeoutPreemptively(Duration.ofSeconds(2), check::getAsBoolean);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
