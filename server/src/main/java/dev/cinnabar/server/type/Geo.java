package dev.cinnabar.server.type;

import java.math.BigDecimal;
import java.math.RoundingMode;
import dev.cinnabar.server.util.CrMath;
import dev.cinnabar.server.util.IndexSort;

/**
 * Geospatial indexing on sorted sets, as Redis's geohash.c, geohash_helper.c and geo.c do it:
 * a position is stored as the member's score, a 52-bit geohash interleaving 26 bits of
 * latitude (even bits) and 26 bits of longitude (odd bits) over the Web Mercator limits
 * (latitude within +-85.05112878 degrees). A radius or box search picks a geohash precision
 * from the search size, covers the area with the box of the centre and its 8 neighbours, scans
 * each box as one score range of the sorted set, and keeps the points within the shape by
 * haversine distance on a sphere of Redis's earth radius.
 *
 * <p>Every floating point operation is done in the same order as Redis's, so that positions,
 * distances and the set and order of search results are the same. Data-structure code: nothing
 * here knows about clients or replies; the number formatting writes plain bytes.
 */
public final class Geo {
    private Geo() {}

    public static final double LAT_MIN = -85.05112878;
    public static final double LAT_MAX = 85.05112878;
    public static final double LON_MIN = -180;
    public static final double LON_MAX = 180;
    /** 26 steps of 2 bits: 52-bit scores, exactly representable as doubles. */
    public static final int STEP_MAX = 26;

    private static final double D_R = Math.PI / 180.0;
    /** Redis's earth radius in meters (the quadratic mean radius of WGS-84). */
    static final double EARTH_RADIUS = 6372797.560856;
    static final double MERCATOR_MAX = 20037726.37;
    private static final double TWO_63 = 9.223372036854775808E18;

    // ---- interleaving -------------------------------------------------------------------------

    /** Spreads the low 32 bits of x over the even bits and those of y over the odd bits. */
    static long interleave(long x, long y) {
        x &= 0xFFFFFFFFL;
        y &= 0xFFFFFFFFL;
        x = (x | (x << 16)) & 0x0000FFFF0000FFFFL;
        y = (y | (y << 16)) & 0x0000FFFF0000FFFFL;
        x = (x | (x << 8)) & 0x00FF00FF00FF00FFL;
        y = (y | (y << 8)) & 0x00FF00FF00FF00FFL;
        x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FL;
        y = (y | (y << 4)) & 0x0F0F0F0F0F0F0F0FL;
        x = (x | (x << 2)) & 0x3333333333333333L;
        y = (y | (y << 2)) & 0x3333333333333333L;
        x = (x | (x << 1)) & 0x5555555555555555L;
        y = (y | (y << 1)) & 0x5555555555555555L;
        return x | (y << 1);
    }

    /** The inverse of {@link #interleave}: even bits in the low half, odd bits in the high half. */
    static long deinterleave(long v) {
        long x = v;
        long y = v >>> 1;
        x &= 0x5555555555555555L;
        y &= 0x5555555555555555L;
        x = (x | (x >>> 1)) & 0x3333333333333333L;
        y = (y | (y >>> 1)) & 0x3333333333333333L;
        x = (x | (x >>> 2)) & 0x0F0F0F0F0F0F0F0FL;
        y = (y | (y >>> 2)) & 0x0F0F0F0F0F0F0F0FL;
        x = (x | (x >>> 4)) & 0x00FF00FF00FF00FFL;
        y = (y | (y >>> 4)) & 0x00FF00FF00FF00FFL;
        x = (x | (x >>> 8)) & 0x0000FFFF0000FFFFL;
        y = (y | (y >>> 8)) & 0x0000FFFF0000FFFFL;
        x = (x | (x >>> 16)) & 0x00000000FFFFFFFFL;
        y = (y | (y >>> 16)) & 0x00000000FFFFFFFFL;
        return x | (y << 32);
    }

    // ---- encoding and decoding ----------------------------------------------------------------

    /**
     * Redis geohashEncode: the geohash of {@code step} bits per coordinate of a position within
     * the given ranges, or -1 when the position is outside them or the Web Mercator limits.
     */
    static long encode(double lonMin, double lonMax, double latMin, double latMax, double lon, double lat, int step) {
        if (step > 32 || step == 0) {
            return -1;
        }
        if (lon > LON_MAX || lon < LON_MIN || lat > LAT_MAX || lat < LAT_MIN) {
            return -1;
        }
        if (lat < latMin || lat > latMax || lon < lonMin || lon > lonMax) {
            return -1;
        }
        double latOffset = (lat - latMin) / (latMax - latMin);
        double lonOffset = (lon - lonMin) / (lonMax - lonMin);
        latOffset *= (double) (1L << step);
        lonOffset *= (double) (1L << step);
        return interleave((long) latOffset, (long) lonOffset);
    }

    /** The score GEOADD stores for a valid position: its 52-bit geohash. */
    public static long score(double lon, double lat) {
        return encode(LON_MIN, LON_MAX, LAT_MIN, LAT_MAX, lon, lat, STEP_MAX);
    }

    /** Whether GEOADD and the search commands accept a position (Redis extractLongLatOrReply). */
    public static boolean validPosition(double lon, double lat) {
        return !(lon < LON_MIN || lon > LON_MAX || lat < LAT_MIN || lat > LAT_MAX);
    }

    /**
     * The cell of a geohash (Redis geohashDecode over the Web Mercator ranges):
     * {@code out = {lonMin, lonMax, latMin, latMax}}.
     */
    static void cell(long bits, int step, double[] out) {
        long sep = deinterleave(bits);
        long ilat = sep & 0xFFFFFFFFL;
        long ilon = sep >>> 32;
        double div = (double) (1L << step);
        double latScale = LAT_MAX - LAT_MIN;
        double lonScale = LON_MAX - LON_MIN;
        // (i + 1) is 32-bit unsigned arithmetic in Redis: it wraps for a corrupt all-ones score.
        out[2] = LAT_MIN + (ilat * 1.0 / div) * latScale;
        out[3] = LAT_MIN + (((ilat + 1) & 0xFFFFFFFFL) * 1.0 / div) * latScale;
        out[0] = LON_MIN + (ilon * 1.0 / div) * lonScale;
        out[1] = LON_MIN + (((ilon + 1) & 0xFFFFFFFFL) * 1.0 / div) * lonScale;
    }

    /**
     * The position a score stands for (Redis decodeGeohash): the centre of its cell, clamped
     * to the valid ranges. {@code xy = {longitude, latitude}}; {@code tmp} is 4 doubles of
     * scratch. Any score decodes, as in Redis, even one that GEOADD did not write.
     */
    public static void decode(double score, double[] xy, double[] tmp) {
        cell(toUint64(score), STEP_MAX, tmp);
        double lon = (tmp[0] + tmp[1]) / 2;
        lon = Math.min(lon, LON_MAX);
        lon = Math.max(lon, LON_MIN);
        double lat = (tmp[2] + tmp[3]) / 2;
        lat = Math.min(lat, LAT_MAX);
        lat = Math.max(lat, LAT_MIN);
        xy[0] = lon;
        xy[1] = lat;
    }

    /**
     * A C cast of a double to uint64_t as x86-64 compilers emit it: below 2^63 (and NaN) a
     * signed truncation, above it the truncation of the value minus 2^63 with the top bit
     * flipped; out-of-range conversions give the "integer indefinite" 2^63.
     */
    static long toUint64(double d) {
        if (Double.isNaN(d) || d < TWO_63) {
            return truncate(d);
        }
        return truncate(d - TWO_63) ^ Long.MIN_VALUE;
    }

    private static long truncate(double d) {
        if (Double.isNaN(d) || d >= TWO_63 || d < -TWO_63) {
            return Long.MIN_VALUE;
        }
        return (long) d;
    }

    private static final byte[] BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * GEOHASH: the standard 11-character geohash of a score's position. The stored hash uses
     * latitudes within +-85 degrees, so the position is decoded and encoded again over
     * +-90 degrees; the eleventh character stands for bits that are not stored, always '0'.
     */
    public static void geohashString(double score, byte[] out, int off) {
        double[] xy = new double[2];
        double[] tmp = new double[4];
        decode(score, xy, tmp);
        long bits = encode(-180, 180, -90, 90, xy[0], xy[1], 26);
        for (int i = 0; i < 11; i++) {
            int idx = i == 10 ? 0 : (int) ((bits >>> (52 - (i + 1) * 5)) & 0x1F);
            out[off + i] = BASE32[idx];
        }
    }

    // ---- distances ----------------------------------------------------------------------------

    private static double rad(double deg) {
        return deg * D_R;
    }

    private static double deg(double rad) {
        return rad / D_R;
    }

    /** Distance in meters along a meridian (Redis geohashGetLatDistance). */
    static double latDistance(double lat1, double lat2) {
        return EARTH_RADIUS * Math.abs(rad(lat2) - rad(lat1));
    }

    /** Great-circle distance in meters by the haversine formula (Redis geohashGetDistance). */
    public static double distance(double lon1, double lat1, double lon2, double lat2) {
        return distance(new CrMath(), lon1, lat1, lon2, lat2);
    }

    /**
     * Margin of {@link #quickDistance}: its error is a few ulps of each function, amplified up
     * to ~1e-8 relative by asin near antipodal points; 1e-6 leaves ample room.
     */
    static final double SURELY_OUTSIDE = 1 + 1e-6;

    /** {@link #distance} with Java's faster, less exact trigonometry: for rejecting far points. */
    static double quickDistance(double lon1, double lat1, double lon2, double lat2) {
        double lon1r = rad(lon1);
        double lon2r = rad(lon2);
        double v = Math.sin((lon2r - lon1r) / 2);
        if (v == 0.0) {
            return latDistance(lat1, lat2);
        }
        double lat1r = rad(lat1);
        double lat2r = rad(lat2);
        double u = Math.sin((lat2r - lat1r) / 2);
        double a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
        return 2.0 * EARTH_RADIUS * Math.asin(Math.sqrt(a));
    }

    /**
     * {@link #distance} with the caller's scratch for the correctly rounded trigonometry
     * (glibc's results, which Java's Math functions are not; see {@link CrMath}).
     */
    static double distance(CrMath m, double lon1, double lat1, double lon2, double lat2) {
        double lon1r = rad(lon1);
        double lon2r = rad(lon2);
        double v = m.sine((lon2r - lon1r) / 2);
        if (v == 0.0) {
            return latDistance(lat1, lat2); // same meridian: no need for the full formula
        }
        double lat1r = rad(lat1);
        double lat2r = rad(lat2);
        double u = m.sine((lat2r - lat1r) / 2);
        double a = u * u + m.cosine(lat1r) * m.cosine(lat2r) * v * v;
        return 2.0 * EARTH_RADIUS * m.arcsine(Math.sqrt(a));
    }

    // ---- search ---------------------------------------------------------------------------------

    /**
     * One radius or box search (Redis georadiusGeneric's shape and result array): set the
     * shape, {@link #run} it over a sorted set, optionally {@link #sort} the results, then read
     * them in order with the accessors. Members are copied into an internal arena, so results
     * stay valid while the sorted set changes (GEOSEARCHSTORE onto its own source).
     */
    public static final class Search {
        /** Centre of the shape. */
        public double lon;
        public double lat;
        /** Box (width x height) rather than circle (radius); sizes in the unit of {@link #conversion}. */
        public boolean box;
        public double radius;
        public double width;
        public double height;
        /** Meters per unit of the sizes. */
        public double conversion;

        private int size;
        private double[] rLon = new double[8];
        private double[] rLat = new double[8];
        private double[] rDist = new double[8];
        private double[] rScore = new double[8];
        private int[] mOff = new int[8];
        private int[] mLen = new int[8];
        private byte[] arena = new byte[256];
        private int arenaUsed;
        private int[] order;

        private long limit;
        private boolean full;
        private final double[] xy = new double[2];
        private final double[] tmp = new double[4];
        private final ZRange.Score range = new ZRange.Score(0, false, 0, true);
        private final CrMath math = new CrMath();

        public int size() {
            return size;
        }

        private int at(int i) {
            return order == null ? i : order[i];
        }

        public double longitude(int i) {
            return rLon[at(i)];
        }

        public double latitude(int i) {
            return rLat[at(i)];
        }

        /** Distance from the centre in meters. */
        public double distance(int i) {
            return rDist[at(i)];
        }

        public double score(int i) {
            return rScore[at(i)];
        }

        public byte[] memberArray() {
            return arena;
        }

        public int memberOffset(int i) {
            return mOff[at(i)];
        }

        public int memberLength(int i) {
            return mLen[at(i)];
        }

        /**
         * Orders the results by distance, ascending or descending, as Redis does when it will
         * reply {@code wanted} of them (see {@link Geo#sort}).
         */
        public void sort(boolean desc, long wanted) {
            Geo.sort(this, desc, (int) Math.min(wanted, Integer.MAX_VALUE));
        }

        /**
         * Collects the members of {@code z} inside the shape, box by box (Redis
         * membersOfAllNeighbors). With {@code limit} > 0 (COUNT ANY) it stops as soon as that
         * many were found.
         */
        public void run(ZSetValue z, long limit) {
            this.limit = limit;
            Areas a = new Areas();
            a.compute(this);
            int step = a.step;
            int last = 0;
            for (int i = 0; i < 9; i++) {
                long bits = a.bits[i];
                int st = a.steps[i];
                if (bits == 0 && st == 0) {
                    continue; // excluded box
                }
                // With huge radii neighbours can coincide; Redis skips a box equal to the last
                // one it scanned (never comparing with the centre box, index 0).
                if (last != 0 && bits == a.bits[last] && st == a.steps[last]) {
                    continue;
                }
                if (size > 0 && limit > 0 && size >= limit) {
                    break;
                }
                int shift = 52 - step * 2;
                range.min = (double) (bits << shift);
                range.max = (double) ((bits + 1) << shift);
                scanBox(z);
                last = i;
            }
        }

        /** Scans one box's score range [min, max) in order, keeping the points in the shape. */
        private void scanBox(ZSetValue z) {
            full = false;
            if (limit <= 0) {
                z.visitScore(range, false, 0, -1, this::consider);
                return;
            }
            // COUNT ANY: scan in growing windows so that a large box is not walked to its end
            // once enough points were found.
            long offset = 0;
            long window = 64;
            while (!full) {
                long seen = z.visitScore(range, false, offset, window, this::consider);
                if (seen < window) {
                    break;
                }
                offset += seen;
                window = Math.min(window * 2, 1 << 16);
            }
        }

        private void consider(byte[] buf, int off, int len, double score) {
            if (full) {
                return;
            }
            decode(score, xy, tmp);
            double dist;
            // Most candidates are clearly outside: the quick distance (Math's trigonometry,
            // within far less than SURELY_OUTSIDE of the exact one) rejects them; points near
            // the edge or inside get the exact, Redis-identical distance.
            if (!box) {
                double limit = radius * conversion;
                if (quickDistance(lon, lat, xy[0], xy[1]) > limit * SURELY_OUTSIDE) {
                    return;
                }
                dist = Geo.distance(math, lon, lat, xy[0], xy[1]);
                // Written as Redis's "distance > radius" so that a NaN distance is kept too.
                if (dist > limit) {
                    return;
                }
            } else {
                double heightM = height * conversion;
                double widthM = width * conversion;
                if (latDistance(xy[1], lat) > heightM / 2) {
                    return;
                }
                if (quickDistance(xy[0], xy[1], lon, xy[1]) > widthM / 2 * SURELY_OUTSIDE
                        || Geo.distance(math, xy[0], xy[1], lon, xy[1]) > widthM / 2) {
                    return;
                }
                dist = Geo.distance(math, lon, lat, xy[0], xy[1]);
            }
            append(buf, off, len, score, dist);
            if (limit > 0 && size >= limit) {
                full = true;
            }
        }

        private void append(byte[] buf, int off, int len, double score, double dist) {
            if (size == rLon.length) {
                int n = size * 2;
                rLon = java.util.Arrays.copyOf(rLon, n);
                rLat = java.util.Arrays.copyOf(rLat, n);
                rDist = java.util.Arrays.copyOf(rDist, n);
                rScore = java.util.Arrays.copyOf(rScore, n);
                mOff = java.util.Arrays.copyOf(mOff, n);
                mLen = java.util.Arrays.copyOf(mLen, n);
            }
            if (arenaUsed + len > arena.length) {
                arena = java.util.Arrays.copyOf(arena, Math.max(arena.length * 2, arenaUsed + len));
            }
            System.arraycopy(buf, off, arena, arenaUsed, len);
            rLon[size] = xy[0];
            rLat[size] = xy[1];
            rDist[size] = dist;
            rScore[size] = score;
            mOff[size] = arenaUsed;
            mLen[size] = len;
            arenaUsed += len;
            size++;
        }
    }

    // ---- search areas -------------------------------------------------------------------------

    /** Redis geohashEstimateStepsByRadius: the geohash precision whose cells fit a search radius. */
    static int estimateSteps(double rangeMeters, double lat) {
        if (rangeMeters == 0) {
            return 26;
        }
        int step = 1;
        while (rangeMeters < MERCATOR_MAX) {
            rangeMeters *= 2;
            step++;
        }
        step -= 2; // so that the range is covered in most cases
        // Cells get narrower towards the poles.
        if (lat > 66 || lat < -66) {
            step--;
            if (lat > 80 || lat < -80) {
                step--;
            }
        }
        return Math.max(1, Math.min(26, step));
    }

    /** Moves a geohash one cell east (d > 0) or west (d < 0), wrapping around (geohash_move_x). */
    static long moveX(long bits, int step, int d) {
        long x = bits & 0xaaaaaaaaaaaaaaaaL;
        long y = bits & 0x5555555555555555L;
        long zz = 0x5555555555555555L >>> (64 - step * 2);
        if (d > 0) {
            x = x + (zz + 1);
        } else {
            x = x | zz;
            x = x - (zz + 1);
        }
        x &= 0xaaaaaaaaaaaaaaaaL >>> (64 - step * 2);
        return x | y;
    }

    /** Moves a geohash one cell north (d > 0) or south (d < 0) (geohash_move_y). */
    static long moveY(long bits, int step, int d) {
        long x = bits & 0xaaaaaaaaaaaaaaaaL;
        long y = bits & 0x5555555555555555L;
        long zz = 0xaaaaaaaaaaaaaaaaL >>> (64 - step * 2);
        if (d > 0) {
            y = y + (zz + 1);
        } else {
            y = y | zz;
            y = y - (zz + 1);
        }
        y &= 0x5555555555555555L >>> (64 - step * 2);
        return x | y;
    }

    /**
     * The 9 boxes a search scans (Redis geohashCalculateAreasByShapeWGS84), in Redis's order:
     * centre, north, south, east, west, north-east, north-west, south-east, south-west. An
     * excluded box has bits and step 0.
     */
    static final class Areas {
        static final int N = 1;
        static final int S = 2;
        static final int E = 3;
        static final int W = 4;
        static final int NE = 5;
        static final int NW = 6;
        static final int SE = 7;
        static final int SW = 8;

        final long[] bits = new long[9];
        final int[] steps = new int[9];
        int step;
        /** Bounding box of the shape: min lon, min lat, max lon, max lat. */
        final double[] bounds = new double[4];

        void compute(Search s) {
            boundingBox(s);
            double minLon = bounds[0];
            double minLat = bounds[1];
            double maxLon = bounds[2];
            double maxLat = bounds[3];
            double radiusMeters = !s.box ? s.radius
                    : Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2));
            radiusMeters *= s.conversion;
            step = estimateSteps(radiusMeters, s.lat);
            double[] cell = new double[4];
            center(s, cell);
            // The estimate can be too coarse near a box edge: a neighbour must reach past the
            // search area on each side, else use cells twice as large.
            boolean decrease = false;
            double[] c = new double[4];
            Geo.cell(bits[N], step, c);
            decrease |= c[3] < maxLat;
            Geo.cell(bits[S], step, c);
            decrease |= c[2] > minLat;
            Geo.cell(bits[E], step, c);
            decrease |= c[1] < maxLon;
            Geo.cell(bits[W], step, c);
            decrease |= c[0] > minLon;
            if (step > 1 && decrease) {
                step--;
                center(s, cell);
            }
            // Drop the neighbours the search area cannot reach.
            if (step >= 2) {
                if (cell[2] < minLat) {
                    clear(S, SW, SE);
                }
                if (cell[3] > maxLat) {
                    clear(N, NE, NW);
                }
                if (cell[0] < minLon) {
                    clear(W, SW, NW);
                }
                if (cell[1] > maxLon) {
                    clear(E, SE, NE);
                }
            }
        }

        /** Encodes the centre at the current step, fills the neighbours, and decodes its cell. */
        private void center(Search s, double[] cell) {
            long h = encode(LON_MIN, LON_MAX, LAT_MIN, LAT_MAX, s.lon, s.lat, step);
            bits[0] = h;
            bits[E] = moveX(h, step, 1);
            bits[W] = moveX(h, step, -1);
            bits[S] = moveY(h, step, -1);
            bits[N] = moveY(h, step, 1);
            bits[NW] = moveY(moveX(h, step, -1), step, 1);
            bits[NE] = moveY(moveX(h, step, 1), step, 1);
            bits[SE] = moveY(moveX(h, step, 1), step, -1);
            bits[SW] = moveY(moveX(h, step, -1), step, -1);
            java.util.Arrays.fill(steps, step);
            Geo.cell(h, step, cell);
        }

        private void clear(int a, int b, int c) {
            bits[a] = bits[b] = bits[c] = 0;
            steps[a] = steps[b] = steps[c] = 0;
        }

        /**
         * Redis geohashBoundingBox: the longitudes and latitudes the shape spans. Meridians
         * converge, so the box is widest on its edge nearest the equator; that edge's width is
         * used on both sides.
         */
        private void boundingBox(Search s) {
            double height = s.conversion * (!s.box ? s.radius : s.height / 2);
            double width = s.conversion * (!s.box ? s.radius : s.width / 2);
            double latDelta = deg(height / EARTH_RADIUS);
            double lonDeltaTop = deg(width / EARTH_RADIUS / s.math.cosine(rad(s.lat + latDelta)));
            double lonDeltaBottom = deg(width / EARTH_RADIUS / s.math.cosine(rad(s.lat - latDelta)));
            boolean south = s.lat < 0;
            bounds[0] = south ? s.lon - lonDeltaBottom : s.lon - lonDeltaTop;
            bounds[2] = south ? s.lon + lonDeltaBottom : s.lon + lonDeltaTop;
            bounds[1] = s.lat - latDelta;
            bounds[3] = s.lat + latDelta;
        }
    }

    // ---- ordering -------------------------------------------------------------------------------

    /**
     * Orders the results of a search by distance. When all of them are wanted Redis uses libc
     * qsort, which in glibc is a top-down merge sort (stable); when COUNT keeps fewer it uses
     * its partial quicksort (pqsort), which leaves equal distances in an order of its own. Both
     * are reproduced step for step, so ties come out as in Redis.
     */
    static void sort(Search s, boolean desc, int wanted) {
        int n = s.size;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Sorter sorter = new Sorter(s.rDist, desc);
        if (wanted >= n) {
            sorter.mergeSort(order, new int[n], 0, n);
        } else {
            sorter.partialQuicksort(order, 0, n, 0, wanted - 1);
        }
        s.order = order;
    }

    private static final class Sorter extends IndexSort {
        private final double[] dist;
        private final boolean desc;

        Sorter(double[] dist, boolean desc) {
            this.dist = dist;
            this.desc = desc;
        }

        /** Redis sort_gp_asc (negated for DESC): 1, 0 or -1; NaN compares as smaller both ways. */
        @Override
        protected int compare(int a, int b) {
            double da = dist[a];
            double db = dist[b];
            int r = da > db ? 1 : da == db ? 0 : -1;
            return desc ? -r : r;
        }
    }

    // ---- number formatting ----------------------------------------------------------------------

    /** Room the formatting methods below may use from their offset. */
    public static final int MAX_CHARS = 48;

    private static final long TEN_17 = 100_000_000_000_000_000L;

    /**
     * A distance as Redis replies it (fixedpoint_d2string with 4 decimals): rounded to
     * 1/10000 with ties to even (llrint), always 4 decimals. Returns the length written.
     */
    public static int formatDistance(double d, byte[] out, int off) {
        int p = off;
        if (d == 0) {
            return put(out, p, "0.0000");
        }
        double scaled = d * 10000.0;
        long sv;
        if (Double.isNaN(scaled) || scaled >= TWO_63 || scaled < -TWO_63) {
            sv = Long.MIN_VALUE; // llrint's result for values it cannot convert
        } else {
            sv = (long) Math.rint(scaled);
        }
        long mag = sv;
        if (sv < 0) {
            out[p++] = '-';
            mag = -sv; // read as unsigned, -LLONG_MIN is 2^63
        }
        p = putUnsigned(out, p, Long.divideUnsigned(mag, 10000));
        out[p++] = '.';
        long frac = Long.remainderUnsigned(mag, 10000);
        for (int div = 1000; div > 0; div /= 10) {
            out[p++] = (byte) ('0' + (frac / div) % 10);
        }
        return p - off;
    }

    /**
     * A coordinate as Redis replies it (addReplyHumanLongDouble): printf "%.17Lf" of the exact
     * value, ties to even, with trailing zeros (and a trailing '.') removed and "-0" written
     * "0". Returns the length written.
     */
    public static int formatCoordinate(double v, byte[] out, int off) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return put(out, off, Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");
        }
        long raw = Double.doubleToRawLongBits(v);
        int exp = (int) ((raw >>> 52) & 0x7FF);
        long mant = raw & 0x000FFFFFFFFFFFFFL;
        if (exp == 0) {
            exp = 1; // subnormal
        } else {
            mant |= 1L << 52;
        }
        int shift = 1075 - exp; // |v| = mant / 2^shift
        if (mant == 0) {
            return put(out, off, "0");
        }
        if (shift <= 0) {
            return formatCoordinateSlow(v, out, off);
        }
        // q = round-half-even(mant * 10^17 / 2^shift), using the 110-bit product.
        long lo = mant * TEN_17;
        long hi = Math.unsignedMultiplyHigh(mant, TEN_17);
        long q;
        boolean half;
        boolean sticky;
        if (shift >= 112) {
            q = 0;
            half = false;
            sticky = true;
        } else if (shift < 64) {
            if ((hi >>> shift) != 0) {
                return formatCoordinateSlow(v, out, off); // does not fit 64 bits
            }
            q = (lo >>> shift) | (hi << (64 - shift));
            half = ((lo >>> (shift - 1)) & 1) != 0;
            sticky = (lo & ((1L << (shift - 1)) - 1)) != 0;
        } else if (shift == 64) {
            q = hi;
            half = lo < 0;
            sticky = (lo << 1) != 0;
        } else {
            int t = shift - 64;
            q = hi >>> t;
            half = ((hi >>> (t - 1)) & 1) != 0;
            sticky = lo != 0 || (hi & ((1L << (t - 1)) - 1)) != 0;
        }
        if (half && (sticky || (q & 1) != 0)) {
            q++;
            if (q == 0) {
                return formatCoordinateSlow(v, out, off);
            }
        }
        if (q == 0) {
            return put(out, off, "0");
        }
        int p = off;
        if (raw < 0) {
            out[p++] = '-';
        }
        p = putUnsigned(out, p, Long.divideUnsigned(q, TEN_17));
        long frac = Long.remainderUnsigned(q, TEN_17);
        if (frac != 0) {
            out[p++] = '.';
            long div = TEN_17 / 10;
            while (frac != 0) {
                out[p++] = (byte) ('0' + frac / div);
                frac %= div;
                div /= 10;
            }
        }
        return p - off;
    }

    /** {@link #formatCoordinate} for magnitudes past 2^52 (never a decoded coordinate). */
    private static int formatCoordinateSlow(double v, byte[] out, int off) {
        String s = new BigDecimal(v).setScale(17, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
        if (s.equals("0") || s.equals("-0")) {
            s = "0";
        }
        if (s.length() > MAX_CHARS) {
            s = s.substring(0, MAX_CHARS); // beyond any coordinate; keeps the caller's buffer safe
        }
        return put(out, off, s);
    }

    /**
     * C's printf "%f" (6 decimals, exact value, ties to even), for error messages about
     * coordinates. Cold path.
     */
    public static String printfF(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        String s = new BigDecimal(v).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
        boolean neg = (Double.doubleToRawLongBits(v) < 0);
        if (neg && !s.startsWith("-")) {
            s = "-" + s; // printf keeps the sign of a value that rounds to zero
        }
        return s;
    }

    private static int put(byte[] out, int p, String s) {
        for (int i = 0; i < s.length(); i++) {
            out[p + i] = (byte) s.charAt(i);
        }
        return s.length();
    }

    private static int putUnsigned(byte[] out, int p, long v) {
        if (v == 0) {
            out[p] = '0';
            return p + 1;
        }
        int digits = 0;
        for (long t = v; t != 0; t = Long.divideUnsigned(t, 10)) {
            digits++;
        }
        for (int i = digits - 1; i >= 0; i--) {
            out[p + i] = (byte) ('0' + Long.remainderUnsigned(v, 10));
            v = Long.divideUnsigned(v, 10);
        }
        return p + digits;
    }
}
