package dev.cinnabar.server.config;

/**
 * Glob matching with the exact semantics of Redis's {@code stringmatchlen} (used by CONFIG GET,
 * and elsewhere by KEYS, SCAN MATCH, PSUBSCRIBE...): {@code *}, {@code ?}, {@code [...]} with
 * {@code ^} negation, {@code a-z} ranges (reversed ranges allowed) and {@code \} escapes, an
 * unterminated {@code [} class ending at the end of the pattern. Quirks are kept on purpose, e.g.
 * an escaped char inside a class is always compared case-sensitively, because clients can observe
 * them.
 *
 * <p>Strings are byte strings (one char per byte, see {@link ConfigText}); case folding is ASCII
 * only, as C's tolower in the "C" locale.
 */
public final class ConfigGlob {

    /** Same bound as Redis: deeper recursion (many stars) simply does not match. */
    private static final int MAX_NESTING = 1000;

    private ConfigGlob() {}

    /** Whether {@code string} matches {@code pattern}. */
    public static boolean matches(String pattern, String string, boolean nocase) {
        boolean[] skipLonger = {false};
        return match(pattern, 0, pattern.length(), string, 0, string.length(), nocase, skipLonger, 0);
    }

    /** The pattern char at index i, or NUL past the end like reading a C string's terminator. */
    private static char at(String s, int i, int end) {
        return i < end ? s.charAt(i) : '\0';
    }

    private static char fold(char c, boolean nocase) {
        return nocase ? ConfigText.lower(c) : c;
    }

    private static boolean match(String pat, int p, int pEnd, String str, int s, int sEnd,
                                 boolean nocase, boolean[] skipLonger, int nesting) {
        if (nesting > MAX_NESTING) return false;
        while (p < pEnd && s < sEnd) {
            char pc = pat.charAt(p);
            switch (pc) {
                case '*' -> {
                    while (p < pEnd && at(pat, p + 1, pEnd) == '*') p++;
                    if (pEnd - p == 1) return true;
                    while (s < sEnd) {
                        if (match(pat, p + 1, pEnd, str, s, sEnd, nocase, skipLonger, nesting + 1)) {
                            return true;
                        }
                        // The rest of the pattern cannot match anywhere further right either once
                        // a nested star gave up: stop exploring, as Redis does, to stay linear.
                        if (skipLonger[0]) return false;
                        s++;
                    }
                    skipLonger[0] = true;
                    return false;
                }
                case '?' -> s++;
                case '[' -> {
                    p++;
                    boolean not = at(pat, p, pEnd) == '^';
                    if (not) p++;
                    boolean matched = false;
                    char sc = str.charAt(s);
                    while (true) {
                        char c = at(pat, p, pEnd);
                        if (c == '\\' && pEnd - p >= 2) {
                            p++;
                            if (pat.charAt(p) == sc) matched = true;
                        } else if (c == ']') {
                            break;
                        } else if (p >= pEnd) {
                            // Unterminated class: step back so the common advance below lands on
                            // the end of the pattern.
                            p--;
                            break;
                        } else if (pEnd - p >= 3 && pat.charAt(p + 1) == '-') {
                            char start = pat.charAt(p);
                            char end = pat.charAt(p + 2);
                            char x = sc;
                            if (start > end) {
                                char t = start;
                                start = end;
                                end = t;
                            }
                            if (nocase) {
                                start = ConfigText.lower(start);
                                end = ConfigText.lower(end);
                                x = ConfigText.lower(x);
                            }
                            p += 2;
                            if (x >= start && x <= end) matched = true;
                        } else if (fold(c, nocase) == fold(sc, nocase)) {
                            matched = true;
                        }
                        p++;
                    }
                    if (not) matched = !matched;
                    if (!matched) return false;
                    s++;
                }
                default -> {
                    if (pc == '\\' && pEnd - p >= 2) p++;
                    if (fold(pat.charAt(p), nocase) != fold(str.charAt(s), nocase)) return false;
                    s++;
                }
            }
            p++;
            if (s == sEnd) {
                while (at(pat, p, pEnd) == '*') p++;
                break;
            }
        }
        return p == pEnd && s == sEnd;
    }
}
