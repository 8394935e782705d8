package dev.cinnabar.server.type;

/**
 * Ranges of sorted set elements as the range commands give them: by score
 * ({@code ZRANGEBYSCORE z (1 5}) and by member ({@code ZRANGEBYLEX z [a (c}). Parsing (the
 * text forms and their errors) is the command family's job; these only hold and test bounds.
 */
public final class ZRange {
    private ZRange() {}

    /** A score interval; each end inclusive or exclusive ("(" prefix). */
    public static final class Score {
        public double min;
        public double max;
        public boolean minEx;
        public boolean maxEx;

        public Score() {}

        public Score(double min, boolean minEx, double max, boolean maxEx) {
            this.min = min;
            this.minEx = minEx;
            this.max = max;
            this.maxEx = maxEx;
        }

        /** Redis zslValueGteMin. */
        public boolean aboveMin(double v) {
            return minEx ? v > min : v >= min;
        }

        /** Redis zslValueLteMax. */
        public boolean belowMax(double v) {
            return maxEx ? v < max : v <= max;
        }
    }

    /**
     * A member interval. Each end is "-" (below every string), "+" (above every string), or
     * a string, inclusive ("[a") or exclusive ("(a"); "-" and "+" count as exclusive, as in
     * Redis. The strings are slices of a caller-owned buffer (the request arguments).
     */
    public static final class Lex {
        public int minKind = ZSetTree.LEX_VALUE;
        public byte[] minBuf;
        public int minOff;
        public int minLen;
        public boolean minEx;
        public int maxKind = ZSetTree.LEX_VALUE;
        public byte[] maxBuf;
        public int maxOff;
        public int maxLen;
        public boolean maxEx;

        /** Kinds of an end, for {@link #setMin}/{@link #setMax}. */
        public static final int NEG_INFINITY = ZSetTree.LEX_MIN;
        public static final int VALUE = ZSetTree.LEX_VALUE;
        public static final int POS_INFINITY = ZSetTree.LEX_MAX;

        public void setMin(int kind, byte[] b, int off, int len, boolean ex) {
            minKind = kind;
            minBuf = b;
            minOff = off;
            minLen = len;
            minEx = ex;
        }

        public void setMax(int kind, byte[] b, int off, int len, boolean ex) {
            maxKind = kind;
            maxBuf = b;
            maxOff = off;
            maxLen = len;
            maxEx = ex;
        }

        /** Whether no string can be in the range (Redis's early test on min > max). */
        boolean emptyByBounds() {
            int cmp;
            if (minKind == maxKind && minKind != VALUE) {
                cmp = 0;
            } else if (minKind == NEG_INFINITY || maxKind == POS_INFINITY) {
                cmp = -1;
            } else if (minKind == POS_INFINITY || maxKind == NEG_INFINITY) {
                cmp = 1;
            } else {
                cmp = java.util.Arrays.compareUnsigned(minBuf, minOff, minOff + minLen, maxBuf, maxOff,
                        maxOff + maxLen);
            }
            return cmp > 0 || (cmp == 0 && (minEx || maxEx));
        }

        /** Redis zslLexValueGteMin for a member m[off, off+len). */
        boolean aboveMin(byte[] m, int off, int len) {
            int c = compare(m, off, len, minKind, minBuf, minOff, minLen);
            return minEx ? c > 0 : c >= 0;
        }

        /** Redis zslLexValueLteMax. */
        boolean belowMax(byte[] m, int off, int len) {
            int c = compare(m, off, len, maxKind, maxBuf, maxOff, maxLen);
            return maxEx ? c < 0 : c <= 0;
        }

        private static int compare(byte[] m, int off, int len, int kind, byte[] b, int bOff, int bLen) {
            if (kind == NEG_INFINITY) {
                return 1;
            }
            if (kind == POS_INFINITY) {
                return -1;
            }
            return java.util.Arrays.compareUnsigned(m, off, off + len, b, bOff, bOff + bLen);
        }
    }
}
