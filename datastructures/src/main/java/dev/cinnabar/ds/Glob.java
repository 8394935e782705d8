package dev.cinnabar.ds;

import java.nio.charset.StandardCharsets;

/**
 * Glob-style matching with exactly Redis's semantics (KEYS, SCAN MATCH, PSUBSCRIBE, ACL key
 * patterns), including its quirks, because clients depend on them:
 *
 * <ul>
 *   <li>{@code *} any run of bytes, {@code ?} one byte, {@code \x} the literal byte x; a
 *       trailing lone {@code \} matches a literal backslash.
 *   <li>{@code [...]} a set; {@code [^...]} its complement; {@code a-z} a range, also written
 *       backwards ({@code z-a}); {@code \]} inside a set is a literal (compared case-sensitively
 *       even in nocase mode, as Redis does). A {@code -} forms a range whenever any byte follows
 *       it, even the closing bracket: {@code [a-]} is the range {@code ]..a} and leaves the set
 *       unclosed. {@code []} is an empty set and matches nothing. An unclosed set runs to the
 *       end of the pattern.
 *   <li>Bytes compare as signed values in ranges (C {@code char} on x86), and case folding
 *       only affects ASCII letters.
 * </ul>
 *
 * <p>Pathological patterns: every {@code *} recurses, so {@code a*a*a*...b} against a long
 * string could take exponential time. Two defences, as in Redis 7.2: recursion deeper than
 * {@value #MAX_NESTING} fails the match, and once the remainder after some {@code *} has failed
 * to match at every later position of the string, no earlier {@code *} can succeed either (a
 * longer match for it would only start the same remainder even later), so the whole search
 * stops. That makes the worst case polynomial.
 *
 * <p>Allocation-free and stateless; safe to call from any thread.
 */
public final class Glob {
    private Glob() {}

    static final int MAX_NESTING = 1000;

    // Tri-state result of a sub-match: NO_MATCH_ABORT is a failure that also proves no
    // enclosing '*' can succeed by consuming more of the string.
    private static final int MATCH = 1;
    private static final int NO_MATCH = 0;
    private static final int NO_MATCH_ABORT = -1;

    public static boolean match(byte[] p, int pOff, int pLen, byte[] s, int sOff, int sLen,
                                boolean nocase) {
        return matchFrom(p, pOff, pOff + pLen, s, sOff, sOff + sLen, nocase, 0) == MATCH;
    }

    public static boolean match(byte[] pattern, byte[] s, boolean nocase) {
        return match(pattern, 0, pattern.length, s, 0, s.length, nocase);
    }

    public static boolean match(byte[] pattern, byte[] s) {
        return match(pattern, 0, pattern.length, s, 0, s.length, false);
    }

    /** Convenience for tests and configuration code; not for hot paths (it encodes). */
    public static boolean match(String pattern, String s, boolean nocase) {
        return match(pattern.getBytes(StandardCharsets.ISO_8859_1),
                s.getBytes(StandardCharsets.ISO_8859_1), nocase);
    }

    /** Whether the pattern matches every string, so callers can skip matching (KEYS *). */
    public static boolean matchesAll(byte[] p, int pOff, int pLen) {
        if (pLen == 0) {
            return false;
        }
        for (int i = pOff, end = pOff + pLen; i < end; i++) {
            if (p[i] != '*') {
                return false;
            }
        }
        return true;
    }

    private static int matchFrom(byte[] p, int pi, int pEnd, byte[] s, int si, int sEnd,
                                 boolean nocase, int nesting) {
        if (nesting > MAX_NESTING) {
            return NO_MATCH;
        }
        while (pi < pEnd && si < sEnd) {
            byte pc = p[pi];
            if (pc == '*') {
                // Consecutive stars are one star; recursing once per star would only multiply
                // the work.
                while (pi + 1 < pEnd && p[pi + 1] == '*') {
                    pi++;
                }
                if (pi + 1 == pEnd) {
                    return MATCH;
                }
                for (; si < sEnd; si++) {
                    int r = matchFrom(p, pi + 1, pEnd, s, si, sEnd, nocase, nesting + 1);
                    if (r != NO_MATCH) {
                        return r;
                    }
                }
                // The rest of the pattern matches at no position of the remaining string.
                return NO_MATCH_ABORT;
            } else if (pc == '?') {
                si++;
            } else if (pc == '[') {
                pi = matchSet(p, pi + 1, pEnd, s[si], nocase);
                if (pi < 0) {
                    return NO_MATCH;
                }
                si++;
            } else {
                if (pc == '\\' && pEnd - pi >= 2) {
                    pi++;
                    pc = p[pi];
                }
                if (!sameByte(pc, s[si], nocase)) {
                    return NO_MATCH;
                }
                si++;
            }
            pi++;
            if (si == sEnd) {
                // String exhausted: only trailing stars may remain for a match.
                while (pi < pEnd && p[pi] == '*') {
                    pi++;
                }
                break;
            }
        }
        return (pi == pEnd && si == sEnd) ? MATCH : NO_MATCH;
    }

    /**
     * Tests byte {@code c} against the set starting at {@code pi} (just after '['). Returns the
     * index of the set's last pattern byte (its ']' or, when unclosed, the pattern's last byte)
     * if {@code c} is accepted, or -1 if it is not.
     */
    private static int matchSet(byte[] p, int pi, int pEnd, byte c, boolean nocase) {
        boolean negate = pi < pEnd && p[pi] == '^';
        if (negate) {
            pi++;
        }
        boolean member = false;
        while (true) {
            if (pi < pEnd && p[pi] == '\\' && pEnd - pi >= 2) {
                pi++;
                if (p[pi] == c) {
                    member = true;
                }
            } else if (pi < pEnd && p[pi] == ']') {
                break;
            } else if (pi >= pEnd) {
                // Unclosed set: it ends with the pattern. Point at the last byte so that the
                // caller's single step lands exactly on the end.
                pi--;
                break;
            } else if (pEnd - pi >= 3 && p[pi + 1] == '-') {
                int lo = p[pi];
                int hi = p[pi + 2];
                if (lo > hi) {
                    int t = lo;
                    lo = hi;
                    hi = t;
                }
                int x = c;
                if (nocase) {
                    lo = lower(lo);
                    hi = lower(hi);
                    x = lower(x);
                }
                pi += 2;
                if (x >= lo && x <= hi) {
                    member = true;
                }
            } else if (sameByte(p[pi], c, nocase)) {
                member = true;
            }
            pi++;
        }
        return (member != negate) ? pi : -1;
    }

    private static boolean sameByte(byte a, byte b, boolean nocase) {
        return a == b || (nocase && lower(a) == lower(b));
    }

    private static int lower(int c) {
        return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
    }
}
