package dev.cinnabar.server.config;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Text primitives with the exact semantics of the C helpers Redis uses when it reads and prints
 * configuration (sds splitting and quoting, strtoll/string2ll/memtoull number parsing, "%f"
 * printing). Redis's acceptance rules are part of its observable behaviour (what a config file or
 * CONFIG SET accepts), so they are reproduced here rather than approximated with Java parsers,
 * which differ in many corners (leading '+', whitespace, hex floats, rounding).
 *
 * <p><b>Byte strings.</b> Redis config values are byte strings. Throughout this package a value is
 * a Java {@code String} holding one byte per char (ISO-8859-1), so arbitrary bytes survive a round
 * trip through file, CONFIG SET and CONFIG GET unchanged. {@link #fromBytes}/{@link #toBytes}
 * convert, and {@link #toPath}/{@link #fromPath} bridge to file system paths.
 */
public final class ConfigText {

    private ConfigText() {}

    /** The charset the OS uses for file names and argv; bytes of paths are interpreted with it. */
    private static final Charset NATIVE = nativeCharset();

    private static Charset nativeCharset() {
        String name = System.getProperty("native.encoding");
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    /** Bytes to a byte string (one char per byte). */
    public static String fromBytes(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** A byte string back to its bytes. */
    public static byte[] toBytes(String byteString) {
        return byteString.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A Java (Unicode) string, e.g. a JVM argv element, to the byte string the OS would pass. */
    public static String fromNative(String s) {
        return fromBytes(s.getBytes(NATIVE));
    }

    /** A byte-string file name to a path, decoding the bytes as the OS would. */
    public static Path toPath(String byteString) {
        return Path.of(new String(toBytes(byteString), NATIVE));
    }

    /** A path to the byte string Redis would see for it. */
    public static String fromPath(Path path) {
        return fromNative(path.toString());
    }

    // ---------------------------------------------------------------- character classes (C locale)

    /** C {@code isspace} in the "C" locale. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    static int hexValue(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return c - 'A' + 10;
    }

    /** C {@code tolower} in the "C" locale: only ASCII letters change. */
    static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    /** ASCII-only lower casing (Redis's sdstolower), unlike {@link String#toLowerCase()}. */
    public static String asciiLower(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                char[] out = s.toCharArray();
                for (int j = i; j < out.length; j++) out[j] = lower(out[j]);
                return new String(out);
            }
        }
        return s;
    }

    /** C {@code strcasecmp(a, b) == 0}. */
    static boolean equalsIgnoreCase(String a, String b) {
        if (a.length() != b.length()) return false;
        for (int i = 0; i < a.length(); i++) {
            if (lower(a.charAt(i)) != lower(b.charAt(i))) return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- splitting and quoting

    /**
     * Splits a line into arguments like Redis's sdssplitargs: blanks separate tokens, double quotes
     * allow {@code \n \r \t \b \a \xHH} and {@code \<any>} escapes, single quotes only {@code \'}.
     * A closing quote must be followed by a blank or the end of the line.
     *
     * @return the arguments, or {@code null} for unbalanced quotes (Redis's parse error)
     */
    public static String[] splitArgs(String line) {
        List<String> out = new ArrayList<>();
        int p = 0;
        int n = line.length();
        while (true) {
            while (p < n && isSpace(line.charAt(p))) p++;
            if (p >= n) return out.toArray(new String[0]);
            StringBuilder cur = new StringBuilder();
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done) {
                char c = p < n ? line.charAt(p) : '\0';
                char next = p + 1 < n ? line.charAt(p + 1) : '\0';
                if (inDouble) {
                    if (c == '\\' && next == 'x' && p + 3 < n
                            && isHexDigit(line.charAt(p + 2)) && isHexDigit(line.charAt(p + 3))) {
                        cur.append((char) (hexValue(line.charAt(p + 2)) * 16 + hexValue(line.charAt(p + 3))));
                        p += 3;
                    } else if (c == '\\' && p + 1 < n) {
                        p++;
                        cur.append(switch (next) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> (char) 7;
                            default -> next;
                        });
                    } else if (c == '"') {
                        if (p + 1 < n && !isSpace(next)) return null;
                        done = true;
                    } else if (p >= n) {
                        return null;
                    } else {
                        cur.append(c);
                    }
                } else if (inSingle) {
                    if (c == '\\' && next == '\'') {
                        p++;
                        cur.append('\'');
                    } else if (c == '\'') {
                        if (p + 1 < n && !isSpace(next)) return null;
                        done = true;
                    } else if (p >= n) {
                        return null;
                    } else {
                        cur.append(c);
                    }
                } else {
                    switch (c) {
                        case ' ', '\n', '\r', '\t', '\0' -> done = true;
                        case '"' -> inDouble = true;
                        case '\'' -> inSingle = true;
                        default -> cur.append(c);
                    }
                }
                if (p < n) p++;
            }
            out.add(cur.toString());
        }
    }

    /**
     * Splits on every single space like sdssplitlen(s, " "): consecutive spaces yield empty
     * arguments and an empty input yields no argument at all. CONFIG SET splits multi-argument
     * values this way (not with quoting rules).
     */
    static String[] splitBySpace(String s) {
        if (s.isEmpty()) return new String[0];
        return s.split(" ", -1);
    }

    /** Quotes a byte string like sdscatrepr: the form CONFIG REWRITE writes string values in. */
    public static String repr(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\', '"' -> b.append('\\').append(c);
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case (char) 7 -> b.append("\\a");
                case '\b' -> b.append("\\b");
                default -> {
                    if (c >= 0x20 && c <= 0x7E) {
                        b.append(c);
                    } else {
                        b.append("\\x").append(Character.forDigit((c >> 4) & 0xF, 16))
                                .append(Character.forDigit(c & 0xF, 16));
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /**
     * Redis's getAbsolutePath: trims blanks, keeps absolute names, otherwise joins the working
     * directory, folding only leading "../" components (no other normalization, no symlinks).
     */
    static String absolutePath(String fileName, String cwd) {
        String rel = trim(fileName, " \r\n\t");
        if (rel.startsWith("/")) return rel;
        String abs = cwd.isEmpty() || cwd.endsWith("/") ? cwd : cwd + "/";
        while (rel.startsWith("../")) {
            rel = rel.substring(3);
            if (abs.length() > 1) {
                int p = abs.length() - 2;
                while (abs.charAt(p) != '/') p--;
                abs = abs.substring(0, p + 1);
            }
        }
        return abs + rel;
    }

    /** Trims the given characters from both ends (sdstrim). */
    public static String trim(String s, String chars) {
        int start = 0;
        int end = s.length();
        while (start < end && chars.indexOf(s.charAt(start)) >= 0) start++;
        while (end > start && chars.indexOf(s.charAt(end - 1)) >= 0) end--;
        return s.substring(start, end);
    }

    // ---------------------------------------------------------------- numbers

    /** Result of {@link #strtoll}: the clamped value, where parsing stopped, and overflow (ERANGE). */
    record StrtolResult(long value, int end, boolean overflow) {
        boolean consumedAll(String s) {
            return end == s.length();
        }
    }

    /**
     * C {@code strtoll(s, &end, base)} for base 8 or 10: skips leading blanks, accepts a sign,
     * clamps on overflow. When no digits are found {@code end} is 0 (C resets endptr to the start).
     */
    static StrtolResult strtoll(String s, int base) {
        int p = 0;
        int n = s.length();
        while (p < n && isSpace(s.charAt(p))) p++;
        boolean negative = false;
        if (p < n && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
            negative = s.charAt(p) == '-';
            p++;
        }
        int digitsStart = p;
        long acc = 0; // accumulated as a negative number so that LLONG_MIN fits
        boolean overflow = false;
        long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
        while (p < n) {
            char c = s.charAt(p);
            int d = c - '0';
            if (d < 0 || d >= base) break;
            if (!overflow) {
                if (acc < (limit + d) / base) {
                    overflow = true;
                } else {
                    long next = acc * base - d;
                    if (next < limit) overflow = true;
                    else acc = next;
                }
            }
            p++;
        }
        if (p == digitsStart) return new StrtolResult(0, 0, false);
        if (overflow) return new StrtolResult(negative ? Long.MIN_VALUE : Long.MAX_VALUE, p, true);
        return new StrtolResult(negative ? acc : -acc, p, false);
    }

    /**
     * Redis's string2ll: a strict decimal integer (no blanks, no '+', no leading zeros, at most 20
     * characters, in long range).
     *
     * @return the value or {@code null} if the string is not such an integer
     */
    static Long string2ll(String s) {
        int n = s.length();
        if (n == 0 || n >= 21) return null;
        if (n == 1 && s.charAt(0) == '0') return 0L;
        int p = 0;
        boolean negative = false;
        if (s.charAt(0) == '-') {
            negative = true;
            p++;
            if (p == n) return null;
        }
        char first = s.charAt(p);
        if (first < '1' || first > '9') return null;
        long v = first - '0';
        p++;
        while (p < n && isDigit(s.charAt(p))) {
            int d = s.charAt(p) - '0';
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10)) > 0) return null;
            v *= 10;
            if (Long.compareUnsigned(v, -1L - d) > 0) return null;
            v += d;
            p++;
        }
        if (p < n) return null;
        if (negative) {
            if (Long.compareUnsigned(v, Long.MIN_VALUE) > 0) return null;
            return -v;
        }
        if (Long.compareUnsigned(v, Long.MAX_VALUE) > 0) return null;
        return v;
    }

    /**
     * Redis's memtoull: digits followed by an optional unit {@code b k kb m mb g gb}
     * (case-insensitive; k=1000, kb=1024). A leading '-' is rejected. As in C, an empty digit run
     * means 0, an over-long number saturates and the multiplication wraps around 64 bits.
     *
     * @return the unsigned value in a long, or {@code null} if the string is not a memory value
     */
    public static Long memToULL(String s) {
        if (!s.isEmpty() && s.charAt(0) == '-') return null;
        int u = 0;
        while (u < s.length() && isDigit(s.charAt(u))) u++;
        String unit = s.substring(u);
        long mul;
        if (unit.isEmpty() || equalsIgnoreCase(unit, "b")) mul = 1;
        else if (equalsIgnoreCase(unit, "k")) mul = 1000;
        else if (equalsIgnoreCase(unit, "kb")) mul = 1024;
        else if (equalsIgnoreCase(unit, "m")) mul = 1000L * 1000;
        else if (equalsIgnoreCase(unit, "mb")) mul = 1024L * 1024;
        else if (equalsIgnoreCase(unit, "g")) mul = 1000L * 1000 * 1000;
        else if (equalsIgnoreCase(unit, "gb")) mul = 1024L * 1024 * 1024;
        else return null;
        if (u >= 128) return null; // Redis copies the digits into a 128 byte buffer
        long val = 0;
        boolean saturated = false;
        for (int i = 0; i < u; i++) {
            int d = s.charAt(i) - '0';
            // strtoull saturates at ULLONG_MAX on overflow (errno ERANGE, which Redis ignores).
            if (Long.compareUnsigned(val, Long.divideUnsigned(-1L, 10)) > 0
                    || Long.compareUnsigned(val * 10, -1L - d) > 0) {
                saturated = true;
                break;
            }
            val = val * 10 + d;
        }
        if (saturated) val = -1L;
        return val * mul;
    }

    /**
     * Redis's string2d (strtod that must consume the whole string, no leading blank, no NaN, no
     * overflow to infinity or underflow to zero; a literal "inf" is accepted).
     *
     * @return the value or {@code null}
     */
    static Double string2d(String s) {
        if (s.isEmpty() || isSpace(s.charAt(0))) return null;
        String body = s;
        boolean negative = false;
        if (body.charAt(0) == '+' || body.charAt(0) == '-') {
            negative = body.charAt(0) == '-';
            body = body.substring(1);
        }
        String lowerBody = asciiLower(body);
        if (lowerBody.equals("inf") || lowerBody.equals("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        double v;
        if (lowerBody.startsWith("0x")) {
            if (!lowerBody.matches("0x([0-9a-f]+\\.?[0-9a-f]*|\\.[0-9a-f]+)(p[+-]?[0-9]+)?")) return null;
            String hex = lowerBody.contains("p") ? lowerBody : lowerBody + "p0";
            v = Double.parseDouble(hex);
        } else {
            if (!lowerBody.matches("([0-9]+\\.?[0-9]*|\\.[0-9]+)(e[+-]?[0-9]+)?")) return null;
            BigDecimal exact;
            try {
                exact = new BigDecimal(lowerBody.endsWith(".") ? lowerBody + "0" : lowerBody);
            } catch (NumberFormatException | ArithmeticException e) {
                return null;
            }
            v = Double.parseDouble(lowerBody);
            if (v == 0 && exact.signum() != 0) return null; // underflow to zero: ERANGE
        }
        if (Double.isInfinite(v)) return null; // overflow: ERANGE with HUGE_VAL
        return negative ? -v : v;
    }

    /** printf("%f") followed by Redis's trimDoubleString (drop trailing zeros and a bare dot). */
    static String formatTrimmedDouble(double d) {
        String s;
        if (Double.isNaN(d)) s = "nan";
        else if (Double.isInfinite(d)) s = d > 0 ? "inf" : "-inf";
        else s = new BigDecimal(d).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
        if (s.indexOf('.') >= 0) {
            int end = s.length();
            while (s.charAt(end - 1) == '0') end--;
            if (s.charAt(end - 1) == '.') end--;
            s = s.substring(0, end);
        }
        // "%f" prints a negative zero as "-0.000000"; BigDecimal loses the sign: restore it.
        if (d == 0 && 1 / d < 0) s = "-" + s;
        return s;
    }

    /** A byte count as CONFIG REWRITE writes it: the largest exact gb/mb/kb unit, else plain. */
    static String formatMemory(long bytes) {
        long gb = 1024L * 1024 * 1024;
        long mb = 1024L * 1024;
        long kb = 1024L;
        if (bytes != 0 && bytes % gb == 0) return (bytes / gb) + "gb";
        if (bytes != 0 && bytes % mb == 0) return (bytes / mb) + "mb";
        if (bytes != 0 && bytes % kb == 0) return (bytes / kb) + "kb";
        return Long.toString(bytes);
    }

    /** The strerror() text of the errno behind a Java I/O failure, as Redis would print it. */
    public static String strerror(IOException e) {
        return switch (e) {
            case NoSuchFileException x -> "No such file or directory";
            case AccessDeniedException x -> "Permission denied";
            case NotDirectoryException x -> "Not a directory";
            case FileAlreadyExistsException x -> "File exists";
            case FileSystemException x when x.getReason() != null -> x.getReason();
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
    }
}
