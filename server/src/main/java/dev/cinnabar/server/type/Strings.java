package dev.cinnabar.server.type;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.resp.ReplyWriter;

/**
 * The string type API over both representations: a packed entry ({@code byte[]}) or an
 * {@link ObjectEntry} holding a {@link MutableString}. Also Redis's encoding choice for new
 * string values (tryObjectEncoding).
 */
public final class Strings {
    private Strings() {}

    /** Strings up to this length are "embstr" (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
    public static final int EMBSTR_LIMIT = 44;

    /** Whether an entry holds a string. */
    public static boolean isString(Object e) {
        return e instanceof byte[] || (e instanceof ObjectEntry o && o.value instanceof MutableString);
    }

    /** Redis tryObjectEncoding for a value stored by SET and friends. */
    public static int encodingFor(byte[] v, int off, int len) {
        if (len <= 20 && Ascii.isLong(v, off, len)) {
            return Entries.ENC_INT;
        }
        return len <= EMBSTR_LIMIT ? Entries.ENC_EMBSTR : Entries.ENC_RAW;
    }

    /** Array holding the value bytes of a string entry. */
    public static byte[] array(Object e) {
        return e instanceof byte[] b ? b : ((MutableString) ((ObjectEntry) e).value).array();
    }

    public static int offset(Object e) {
        return e instanceof byte[] b ? Entries.valueOffset(b) : 0;
    }

    public static int length(Object e) {
        return e instanceof byte[] b ? Entries.valueLength(b) : ((MutableString) ((ObjectEntry) e).value).length();
    }

    /** A copy of the value bytes. */
    public static byte[] copy(Object e) {
        byte[] a = array(e);
        int off = offset(e);
        return java.util.Arrays.copyOfRange(a, off, off + length(e));
    }

    /** OBJECT ENCODING of a string entry. */
    public static String encodingName(Object e) {
        if (e instanceof byte[] b) {
            return switch (Entries.encoding(b)) {
                case Entries.ENC_INT -> "int";
                case Entries.ENC_EMBSTR -> "embstr";
                default -> "raw";
            };
        }
        return "raw";
    }

    /** Replies with the value as a bulk string. */
    public static void reply(ReplyWriter w, Object e) {
        w.bulk(array(e), offset(e), length(e));
    }
}
