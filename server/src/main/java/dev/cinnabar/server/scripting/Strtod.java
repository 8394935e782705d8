package dev.cinnabar.server.scripting;

import java.nio.charset.StandardCharsets;

/**
 * C's strtod on a prefix of a byte string (glibc, C locale): the longest prefix that is a
 * decimal or hexadecimal number, "inf"/"infinity" or "nan[(...)]", with an optional sign.
 * Decimal values are correctly rounded, as glibc's are.
 */
final class Strtod {
    private Strtod() {}

    private static int at(byte[] d, int i) {
        return i < d.length ? d[i] & 0xFF : 0;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHex(int c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean word(byte[] d, int p, String w) {
        for (int i = 0; i < w.length(); i++) {
            if (Character.toLowerCase(at(d, p + i)) != w.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Length of the number at d[from], or 0 when strtod would convert nothing. */
    static int prefixLength(byte[] d, int from) {
        int p = from;
        if (at(d, p) == '+' || at(d, p) == '-') {
            p++;
        }
        if (word(d, p, "infinity")) {
            return p + 8 - from;
        }
        if (word(d, p, "inf")) {
            return p + 3 - from;
        }
        if (word(d, p, "nan")) {
            p += 3;
            if (at(d, p) == '(') {
                int q = p + 1;
                while (Character.isLetterOrDigit(at(d, q)) && at(d, q) < 128 || at(d, q) == '_') {
                    q++;
                }
                if (at(d, q) == ')') {
                    p = q + 1;
                }
            }
            return p - from;
        }
        if (at(d, p) == '0' && (at(d, p + 1) | 0x20) == 'x') {
            int q = p + 2;
            int digits = 0;
            while (isHex(at(d, q))) {
                q++;
                digits++;
            }
            if (at(d, q) == '.') {
                int r = q + 1;
                while (isHex(at(d, r))) {
                    r++;
                    digits++;
                }
                q = r;
            }
            if (digits > 0) {
                if ((at(d, q) | 0x20) == 'p') {
                    int r = q + 1;
                    if (at(d, r) == '+' || at(d, r) == '-') {
                        r++;
                    }
                    if (isDigit(at(d, r))) {
                        while (isDigit(at(d, r))) {
                            r++;
                        }
                        q = r;
                    }
                }
                return q - from;
            }
            // "0x" with no digits: only the 0 is a number
            return p + 1 - from;
        }
        int q = p;
        int digits = 0;
        while (isDigit(at(d, q))) {
            q++;
            digits++;
        }
        if (at(d, q) == '.') {
            int r = q + 1;
            while (isDigit(at(d, r))) {
                r++;
                digits++;
            }
            q = r;
        }
        if (digits == 0) {
            return 0;
        }
        if ((at(d, q) | 0x20) == 'e') {
            int r = q + 1;
            if (at(d, r) == '+' || at(d, r) == '-') {
                r++;
            }
            if (isDigit(at(d, r))) {
                while (isDigit(at(d, r))) {
                    r++;
                }
                q = r;
            }
        }
        return q - from;
    }

    /** The value of the number prefix d[from, from+len) found by {@link #prefixLength}. */
    static double parse(byte[] d, int from, int len) {
        String s = new String(d, from, len, StandardCharsets.ISO_8859_1);
        boolean neg = s.startsWith("-");
        String body = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
        String lower = body.toLowerCase(java.util.Locale.ROOT);
        double v;
        if (lower.startsWith("inf")) {
            v = Double.POSITIVE_INFINITY;
        } else if (lower.startsWith("nan")) {
            v = Double.NaN;
        } else if (lower.startsWith("0x")) {
            String h = lower.indexOf('p') >= 0 ? lower : lower + "p0";
            if (h.startsWith("0x.")) {
                h = "0x0." + h.substring(3);
            }
            v = Double.parseDouble(h);
        } else {
            v = Double.parseDouble(body);
        }
        return neg ? -v : v;
    }
}
