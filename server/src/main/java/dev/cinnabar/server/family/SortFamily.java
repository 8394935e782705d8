package dev.cinnabar.server.family;

import dev.cinnabar.ds.ObjectEntry;
import dev.cinnabar.resp.Ascii;
import dev.cinnabar.resp.Doubles;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.type.HashValue;
import dev.cinnabar.server.type.ListValue;
import dev.cinnabar.server.type.SetValue;
import dev.cinnabar.server.type.Strings;
import dev.cinnabar.server.type.ZSetValue;
import dev.cinnabar.server.util.IndexSort;
import java.util.Arrays;

/**
 * SORT and SORT_RO (Redis sort.c): sorts the elements of a list, set or sorted set numerically
 * or byte-wise (ALPHA), by the elements themselves or by weights looked up through a BY pattern
 * ({@code *} replaced by the element, {@code ->field} reading a hash field), takes a LIMIT
 * window, maps each result through GET patterns, and replies or STOREs the result as a list.
 *
 * <p>Behaviour follows Redis 7.2 to the detail, since clients see it:
 * <ul>
 *   <li>A BY pattern without {@code *} means "do not sort": lists and sorted sets keep their own
 *   order (DESC walks it backwards) and only the LIMIT window is read; a set keeps its iteration
 *   order, except with STORE or from a script where it is sorted ALPHA so the result is
 *   deterministic. Once a constant BY was seen, a later BY pattern does not bring sorting back
 *   (Redis only ever sets that flag).</li>
 *   <li>Numeric weights are read with strtod rules ({@link Doubles#parseSortWeight}); a missing
 *   weight is 0; equal weights are ordered by the elements' bytes. Any unparsable weight fails
 *   the whole command, after all weights were looked up.</li>
 *   <li>ALPHA compares as strcoll in the C locale (bytes up to the first NUL) when replying, and
 *   all bytes when storing; with BY, elements without a weight come first.</li>
 *   <li>The sort is stable, as glibc's merge-sorting qsort, so ties keep the input order.</li>
 *   <li>A sorted set is converted to its skiplist encoding first, as Redis does (visible in
 *   OBJECT ENCODING afterwards).</li>
 *   <li>STORE builds a quicklist and lets it pick its final encoding; an empty result deletes the
 *   destination. A new destination wakes clients blocked on it.</li>
 * </ul>
 */
public final class SortFamily {
    private SortFamily() {}

    public static void register(CommandTable t) {
        t.bind("sort", c -> sort(c, false))
                .bind("sort_ro", c -> sort(c, true));
    }

    static final String ERR_SCORES = "ERR One or more scores can't be converted into double";

    private static final byte[] W_ASC = Ascii.bytes("asc");
    private static final byte[] W_DESC = Ascii.bytes("desc");
    private static final byte[] W_ALPHA = Ascii.bytes("alpha");
    private static final byte[] W_LIMIT = Ascii.bytes("limit");
    private static final byte[] W_STORE = Ascii.bytes("store");
    private static final byte[] W_BY = Ascii.bytes("by");
    private static final byte[] W_GET = Ascii.bytes("get");

    private static final byte[] EMPTY = new byte[0];

    static void sort(Client c, boolean readonly) {
        c.dirtyChanges = 0;
        int argc = c.argc();
        boolean desc = false;
        boolean alpha = false;
        boolean dontsort = false;
        long limitStart = 0;
        long limitCount = -1;
        int by = -1;
        int store = -1;
        int[] gets = new int[argc];
        int getCount = 0;
        for (int j = 2; j < argc; j++) {
            int left = argc - j - 1;
            if (c.argIs(j, W_ASC)) {
                desc = false;
            } else if (c.argIs(j, W_DESC)) {
                desc = true;
            } else if (c.argIs(j, W_ALPHA)) {
                alpha = true;
            } else if (c.argIs(j, W_LIMIT) && left >= 2) {
                if (!c.parseLong(j + 1)) {
                    return;
                }
                limitStart = c.parsed();
                if (!c.parseLong(j + 2)) {
                    return;
                }
                limitCount = c.parsed();
                j += 2;
            } else if (!readonly && c.argIs(j, W_STORE) && left >= 1) {
                store = j + 1;
                j++;
            } else if (c.argIs(j, W_BY) && left >= 1) {
                by = j + 1;
                int pOff = c.argOff(by);
                if (indexOf(c.argData(), pOff, pOff + cLength(c.argData(), pOff, c.argLen(by)), '*') < 0) {
                    dontsort = true;
                }
                j++;
            } else if (c.argIs(j, W_GET) && left >= 1) {
                gets[getCount++] = j + 1;
                j++;
            } else {
                c.syntaxError();
                return;
            }
        }

        Object e = c.db.lookupRead(c, 1);
        Object value = e instanceof ObjectEntry o ? o.value : null;
        if (e != null && !(value instanceof ListValue || value instanceof SetValue || value instanceof ZSetValue)) {
            c.wrongType();
            return;
        }

        // Without a sort, a set's order would depend on its hash table: results that are stored
        // (replicated) or seen by a script must be the same everywhere, so sort them by bytes.
        if (dontsort && value instanceof SetValue && (store >= 0 || c.has(Client.SCRIPT))) {
            dontsort = false;
            alpha = true;
            by = -1;
        }

        if (value instanceof ZSetValue z) {
            // Redis converts the sorted set to a skiplist for SORT, and it stays converted; a
            // limit of 0 entries forces the conversion.
            z.maybeConvert(z.size(), 0);
        }

        long vectorLen;
        if (value instanceof ListValue l) {
            vectorLen = l.length();
        } else if (value instanceof SetValue s) {
            vectorLen = s.size();
        } else if (value instanceof ZSetValue z) {
            vectorLen = z.size();
        } else {
            vectorLen = 0;
        }

        long start = Math.min(Math.max(limitStart, 0), vectorLen);
        limitCount = Math.min(Math.max(limitCount, -1), vectorLen);
        long end = limitCount < 0 ? vectorLen - 1 : start + limitCount - 1;
        if (start >= vectorLen) {
            start = vectorLen - 1;
            end = vectorLen - 2;
        }
        if (end >= vectorLen) {
            end = vectorLen - 1;
        }

        // Lists and sorted sets that are not sorted only need the LIMIT window.
        boolean ordered = value instanceof ListValue || value instanceof ZSetValue;
        if (ordered && dontsort && (start != 0 || end != vectorLen - 1)) {
            vectorLen = end - start + 1;
        }

        Sorter s = new Sorter((int) Math.max(vectorLen, 0));
        if (value instanceof ListValue l && dontsort) {
            if (end >= start) {
                long total = l.length();
                ListValue.Cursor cur = l.cursor(desc ? total - start - 1 : start, !desc);
                if (cur != null) {
                    do {
                        s.add(cur.copy());
                    } while (s.n < vectorLen && cur.next());
                }
                end -= start;
                start = 0;
            }
        } else if (value instanceof ListValue l) {
            ListValue.Cursor cur = l.cursor(0, true);
            if (cur != null) {
                do {
                    s.add(cur.copy());
                } while (cur.next());
            }
        } else if (value instanceof SetValue set) {
            set.forEach(new SetValue.MemberVisitor() {
                @Override
                public boolean bytes(byte[] a, int off, int len) {
                    s.add(Arrays.copyOfRange(a, off, off + len));
                    return true;
                }

                @Override
                public boolean integer(long v) {
                    s.add(Ascii.longBytes(v));
                    return true;
                }
            });
        } else if (value instanceof ZSetValue z && dontsort) {
            long size = z.size();
            if (vectorLen > 0) {
                if (desc) {
                    z.visitRanks(size - start - vectorLen, size - 1 - start, true,
                            (buf, off, len, score) -> s.add(Arrays.copyOfRange(buf, off, off + len)));
                } else {
                    z.visitRanks(start, start + vectorLen - 1, false,
                            (buf, off, len, score) -> s.add(Arrays.copyOfRange(buf, off, off + len)));
                }
            }
            end -= start;
            start = 0;
        } else if (value instanceof ZSetValue z) {
            z.forEachScored((buf, off, len, score) -> s.add(Arrays.copyOfRange(buf, off, off + len)));
        }

        Lookup look = new Lookup();
        byte[] d = c.argData();
        boolean conversionError = false;
        if (!dontsort) {
            s.alpha = alpha;
            s.desc = desc;
            s.byPattern = by >= 0;
            s.binary = store >= 0;
            if (alpha && by >= 0) {
                s.weights = new byte[s.n][];
            } else if (!alpha) {
                s.scores = new double[s.n];
            }
            for (int j = 0; j < s.n; j++) {
                byte[] w;
                int wOff;
                int wLen;
                if (by >= 0) {
                    if (!look.find(c, d, c.argOff(by), c.argLen(by), s.objs[j])) {
                        continue;
                    }
                    w = look.arr;
                    wOff = look.off;
                    wLen = look.len;
                } else {
                    w = s.objs[j];
                    wOff = 0;
                    wLen = w.length;
                }
                if (alpha) {
                    if (by >= 0) {
                        s.weights[j] = Arrays.copyOfRange(w, wOff, wOff + wLen);
                    }
                } else {
                    double v = Doubles.parseSortWeight(w, wOff, wLen);
                    if (Double.isNaN(v)) {
                        conversionError = true;
                    }
                    s.scores[j] = v;
                }
            }
            boolean window = start != 0 || end != s.n - 1;
            s.sort(by >= 0 && window, start, end);
        }

        long rows = end - start + 1;
        long outputLen = getCount > 0 ? getCount * rows : rows;
        if (conversionError) {
            c.error(ERR_SCORES);
        } else if (store < 0) {
            c.reply.arrayLen(outputLen);
            for (long j = start; j <= end; j++) {
                byte[] obj = s.at(j);
                if (getCount == 0) {
                    c.reply.bulk(obj, 0, obj.length);
                }
                for (int g = 0; g < getCount; g++) {
                    if (look.find(c, d, c.argOff(gets[g]), c.argLen(gets[g]), obj)) {
                        c.reply.bulk(look.arr, look.off, look.len);
                    } else {
                        c.reply.nullBulk();
                    }
                }
            }
        } else {
            int fill = c.server.config.encoding.listMaxListpackSize.get();
            int compress = c.server.config.encoding.listCompressDepth.get();
            long threshold = c.server.debug.quicklistPackedThreshold;
            ListValue out = ListValue.newQuicklist(fill, compress);
            for (long j = start; j <= end; j++) {
                byte[] obj = s.at(j);
                if (getCount == 0) {
                    out.push(false, obj, 0, obj.length, threshold);
                }
                for (int g = 0; g < getCount; g++) {
                    if (look.find(c, d, c.argOff(gets[g]), c.argLen(gets[g]), obj)) {
                        out.push(false, look.arr, look.off, look.len, threshold);
                    } else {
                        out.push(false, EMPTY, 0, 0, threshold);
                    }
                }
            }
            if (outputLen > 0) {
                out.autoConvert(fill, compress);
                // Replaces any value (and its TTL); a new key wakes the clients blocked on it.
                // A logically expired destination goes first, so it counts as new (setKey).
                c.db.find(d, c.argOff(store), c.argLen(store), c.now);
                c.db.setObject(d, c.argOff(store), c.argLen(store), out, -1);
                // Keyspace notification (sortstore) goes here once they exist.
                c.dirtyChanges = outputLen;
            } else if (c.db.delete(d, c.argOff(store), c.argLen(store))) {
                // Keyspace notification (del) goes here once they exist.
                c.dirtyChanges = 1;
            }
            c.reply.integer(outputLen);
        }
    }

    // ---- patterns -----------------------------------------------------------------------------

    /** Length of the C string at {@code b[off]}: Redis reads patterns with strchr/strstr. */
    private static int cLength(byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) {
            if (b[off + i] == 0) {
                return i;
            }
        }
        return len;
    }

    private static int indexOf(byte[] b, int from, int to, char ch) {
        for (int i = from; i < to; i++) {
            if (b[i] == ch) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Redis lookupKeyByPattern: the value a BY or GET pattern names for one element. The result
     * is the slice {@code arr[off, off+len)}, valid until the keyspace changes.
     */
    private static final class Lookup {
        byte[] arr;
        int off;
        int len;
        private byte[] key = new byte[64];

        boolean find(Client c, byte[] p, int pOff, int pLen, byte[] subst) {
            int cLen = cLength(p, pOff, pLen);
            if (cLen == 1 && p[pOff] == '#') {
                arr = subst;
                off = 0;
                len = subst.length;
                return true;
            }
            int cEnd = pOff + cLen;
            int star = indexOf(p, pOff, cEnd, '*');
            if (star < 0) {
                return false; // a constant key is not a lookup
            }
            // The first "->" after the star names a hash field, unless nothing follows it.
            int fieldLen = 0;
            int arrow = -1;
            for (int i = star + 1; i + 1 < cEnd; i++) {
                if (p[i] == '-' && p[i + 1] == '>') {
                    arrow = i;
                    break;
                }
            }
            if (arrow >= 0 && arrow + 2 < cEnd) {
                fieldLen = pOff + pLen - arrow - 2;
            }
            int prefix = star - pOff;
            int postfix = pLen - (prefix + 1) - (fieldLen > 0 ? fieldLen + 2 : 0);
            int kLen = prefix + subst.length + postfix;
            if (key.length < kLen) {
                key = new byte[Math.max(kLen, key.length * 2)];
            }
            System.arraycopy(p, pOff, key, 0, prefix);
            System.arraycopy(subst, 0, key, prefix, subst.length);
            System.arraycopy(p, star + 1, key, prefix + subst.length, postfix);

            Object e = c.db.lookupReadNoTouch(key, 0, kLen, c.now);
            if (e == null) {
                return false;
            }
            if (!c.has(Client.NO_TOUCH)) {
                c.db.touch(e);
            }
            if (fieldLen > 0) {
                if (!(e instanceof ObjectEntry o && o.value instanceof HashValue h)
                        || !h.get(p, arrow + 2, fieldLen)) {
                    return false;
                }
                arr = h.valueArray();
                off = h.valueOffset();
                len = h.valueLength();
                return true;
            }
            if (!Strings.isString(e)) {
                return false;
            }
            arr = Strings.array(e);
            off = Strings.offset(e);
            len = Strings.length(e);
            return true;
        }
    }

    // ---- sorting --------------------------------------------------------------------------------

    /** The vector SORT orders: elements, their weights, and the resulting order of indexes. */
    private static final class Sorter extends IndexSort {
        final byte[][] objs;
        int n;
        double[] scores;
        /** ALPHA BY weights; null where the weight key is missing. */
        byte[][] weights;
        int[] order;
        boolean alpha;
        boolean desc;
        boolean byPattern;
        /** Compare all bytes (STORE) rather than as C strings (strcoll in the C locale). */
        boolean binary;

        Sorter(int capacity) {
            objs = new byte[capacity][];
        }

        void add(byte[] obj) {
            objs[n++] = obj;
        }

        /** The element at position {@code j} of the result (the input order until sorted). */
        byte[] at(long j) {
            return objs[order == null ? (int) j : order[(int) j]];
        }

        /**
         * Sorts everything, or with {@code partial} only as much as needed to get positions
         * {@code lo..hi} right (Redis uses its partial quicksort for BY with a LIMIT window, and
         * the tie order then depends on that algorithm, so it is reproduced here).
         */
        void sort(boolean partial, long lo, long hi) {
            order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            if (partial) {
                partialQuicksort(order, 0, n, lo, hi);
            } else if (n > 1) {
                mergeSort(order, new int[n], 0, n);
            }
        }

        /** Redis sortCompare. */
        @Override
        protected int compare(int a, int b) {
            int cmp;
            if (!alpha) {
                double x = scores[a];
                double y = scores[b];
                if (x > y) {
                    cmp = 1;
                } else if (x < y) {
                    cmp = -1;
                } else {
                    cmp = Arrays.compareUnsigned(objs[a], objs[b]);
                }
            } else if (byPattern) {
                byte[] x = weights[a];
                byte[] y = weights[b];
                if (x == null || y == null) {
                    cmp = x == y ? 0 : x == null ? -1 : 1;
                } else {
                    cmp = binary ? Arrays.compareUnsigned(x, y) : collate(x, y);
                }
            } else {
                cmp = binary ? Arrays.compareUnsigned(objs[a], objs[b]) : collate(objs[a], objs[b]);
            }
            return desc ? -Integer.signum(cmp) : cmp;
        }

        /** strcoll in the C locale: unsigned bytes up to each string's first NUL. */
        private static int collate(byte[] x, byte[] y) {
            return Arrays.compareUnsigned(x, 0, cLength(x, 0, x.length), y, 0, cLength(y, 0, y.length));
        }
    }
}
