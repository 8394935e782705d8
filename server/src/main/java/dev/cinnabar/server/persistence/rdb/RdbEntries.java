package dev.cinnabar.server.persistence.rdb;

import dev.cinnabar.ds.Entries;
import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.server.type.Strings;
import java.util.Arrays;

/** Keyspace entries for values read from RDB data (RESTORE, loading). */
public final class RdbEntries {
    private RdbEntries() {}

    /**
     * The entry for key {@code k[off, off+len)} holding {@code value} as {@link RdbValueReader}
     * returns it: a string ({@code byte[]}, stored packed with the encoding Redis's
     * tryObjectEncoding gives a loaded string) or a value object. {@code expireAt}: Unix ms or
     * -1; {@code lru}: the LRU/LFU word.
     */
    public static Object entry(byte[] k, int off, int len, Object value, long expireAt, int lru) {
        if (value instanceof byte[] v) {
            return Entries.newString(k, off, len, v, 0, v.length, Strings.encodingFor(v, 0, v.length), expireAt, lru);
        }
        return new ObjectEntry(Arrays.copyOfRange(k, off, off + len), value, expireAt, lru);
    }
}
