package dev.cinnabar.ds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Glob against java.util.regex on random well-formed patterns (the quirks of malformed sets are
 * covered by examples in GlobTest). Also shows that the early-exit pruning never changes an
 * answer, since the regex engine has no such pruning.
 */
class GlobRandomizedTest {
    private static final String SUBJECT_CHARS = "abcAB*?[";

    @Test
    void agreesWithRegexOnWellFormedPatterns() {
        Seeds.check(3000, rnd -> {
            StringBuilder glob = new StringBuilder();
            StringBuilder regex = new StringBuilder();
            int atoms = rnd.nextInt(9);
            for (int i = 0; i < atoms; i++) {
                appendAtom(rnd, glob, regex);
            }
            StringBuilder s = new StringBuilder();
            int len = rnd.nextInt(13);
            for (int i = 0; i < len; i++) {
                s.append(SUBJECT_CHARS.charAt(rnd.nextInt(SUBJECT_CHARS.length())));
            }
            boolean expected = Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(s).matches();
            if (s.isEmpty()) {
                // Redis quirk: the empty string only matches the empty pattern.
                expected = glob.isEmpty();
            }
            assertThat(Glob.match(glob.toString(), s.toString(), false))
                    .as("glob %s (regex %s) vs %s", glob, regex, s).isEqualTo(expected);
        });
    }

    private static void appendAtom(SplittableRandom rnd, StringBuilder g, StringBuilder r) {
        int kind = rnd.nextInt(13);
        if (kind < 5) {
            char c = "abcA".charAt(rnd.nextInt(4));
            g.append(c);
            r.append(c);
        } else if (kind < 6) {
            char c = "*?[a".charAt(rnd.nextInt(4));
            g.append('\\').append(c);
            r.append(Pattern.quote(String.valueOf(c)));
        } else if (kind < 8) {
            g.append('?');
            r.append('.');
        } else if (kind < 11) {
            g.append('*');
            r.append(".*");
        } else {
            boolean negate = rnd.nextBoolean();
            g.append(negate ? "[^" : "[");
            r.append(negate ? "[^" : "[");
            int members = 1 + rnd.nextInt(3);
            for (int i = 0; i < members; i++) {
                char c = "abcAB*".charAt(rnd.nextInt(6));
                g.append(c);
                r.append(Pattern.quote(String.valueOf(c)));
            }
            char lo = "abcA".charAt(rnd.nextInt(4));
            char hi = "abcA".charAt(rnd.nextInt(4));
            g.append(lo).append('-').append(hi);
            // Regex ranges must ascend; globs accept both orders.
            r.append((char) Math.min(lo, hi)).append('-').append((char) Math.max(lo, hi));
            g.append(']');
            r.append(']');
        }
    }
}
