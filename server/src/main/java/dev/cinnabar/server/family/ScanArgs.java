package dev.cinnabar.server.family;

import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;

/**
 * What SCAN, SSCAN, HSCAN and ZSCAN parse alike: the cursor, then COUNT and MATCH (and TYPE for
 * SCAN) as option/value pairs, with Redis's checks and error replies. One instance per call;
 * these commands build their result in a list anyway.
 */
final class ScanArgs {
    private static final byte[] W_COUNT = Ascii.bytes("count");
    private static final byte[] W_MATCH = Ascii.bytes("match");
    private static final byte[] W_TYPE = Ascii.bytes("type");

    /** The cursor as an unsigned 64-bit number. */
    long cursor;
    long count = 10;
    /** Where the MATCH pattern starts in the argument buffer; -1 when everything matches. */
    int patOff = -1;
    int patLen;
    /** Index of the argument holding TYPE's value, or -1. */
    int typeArg = -1;

    /** Reads the cursor at argument {@code i}; false, with the error replied, when Redis rejects it. */
    boolean cursor(Client c, int i) {
        byte[] d = c.argData();
        if (!KeyspaceFamily.validCursor(d, c.argOff(i), c.argLen(i))) {
            c.error("ERR invalid cursor");
            return false;
        }
        cursor = KeyspaceFamily.cursorValue(d, c.argOff(i), c.argLen(i));
        return true;
    }

    /**
     * Reads the options from argument {@code from} to the end; false, with the error replied, on
     * a bad COUNT, an unknown option or a missing value. Later options override earlier ones.
     */
    boolean options(Client c, int from, boolean typeAllowed) {
        int argc = c.argc();
        for (int i = from; i < argc; i += 2) {
            boolean hasValue = i + 1 < argc;
            if (hasValue && c.argIs(i, W_COUNT)) {
                if (!c.parseLong(i + 1)) {
                    return false;
                }
                count = c.parsed();
                if (count < 1) {
                    c.syntaxError();
                    return false;
                }
            } else if (hasValue && c.argIs(i, W_MATCH)) {
                patOff = c.argOff(i + 1);
                patLen = c.argLen(i + 1);
                // "*" matches everything: same as no pattern.
                if (patLen == 1 && c.argData()[patOff] == '*') {
                    patOff = -1;
                }
            } else if (typeAllowed && hasValue && c.argIs(i, W_TYPE)) {
                typeArg = i + 1;
            } else {
                c.syntaxError();
                return false;
            }
        }
        return true;
    }
}
