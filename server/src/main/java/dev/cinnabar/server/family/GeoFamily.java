package dev.cinnabar.server.family;

import dev.cinnabar.resp.Ascii;
import dev.cinnabar.resp.ArgList;
import dev.cinnabar.resp.Doubles;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.replication.Propagation;
import dev.cinnabar.server.pubsub.KeyEvents;
import dev.cinnabar.server.type.Geo;
import dev.cinnabar.server.type.ZSetValue;
import java.nio.charset.StandardCharsets;

/**
 * Geo commands (Redis geo.c): GEOADD, GEOPOS, GEODIST, GEOHASH, GEORADIUS,
 * GEORADIUSBYMEMBER (and their _RO forms), GEOSEARCH and GEOSEARCHSTORE. A geospatial index is
 * an ordinary sorted set whose scores are 52-bit geohashes ({@link Geo}), so every sorted set
 * command works on it and a sorted set written with ZADD can be searched.
 */
public final class GeoFamily {
    private GeoFamily() {}

    public static void register(CommandTable t) {
        t.bind("geoadd", GeoFamily::geoadd)
                .bind("geopos", GeoFamily::geopos)
                .bind("geodist", GeoFamily::geodist)
                .bind("geohash", GeoFamily::geohash)
                .bind("georadius", c -> search(c, 1, COORDS))
                .bind("georadius_ro", c -> search(c, 1, COORDS | NOSTORE))
                .bind("georadiusbymember", c -> search(c, 1, MEMBER))
                .bind("georadiusbymember_ro", c -> search(c, 1, MEMBER | NOSTORE))
                .bind("geosearch", c -> search(c, 1, SEARCH))
                .bind("geosearchstore", c -> search(c, 2, SEARCH | SEARCHSTORE));
    }

    // Search variants (Redis RADIUS_* flags).
    private static final int COORDS = 1;
    private static final int MEMBER = 2;
    private static final int NOSTORE = 4;
    private static final int SEARCH = 8;
    private static final int SEARCHSTORE = 16;

    private static final String BAD_UNIT = "ERR unsupported unit provided. please use M, KM, FT, MI";
    private static final String NO_MEMBER = "ERR could not decode requested zset member";

    private static final byte[] W_NX = Ascii.bytes("nx");
    private static final byte[] W_XX = Ascii.bytes("xx");
    private static final byte[] W_CH = Ascii.bytes("ch");
    private static final byte[] W_M = Ascii.bytes("m");
    private static final byte[] W_KM = Ascii.bytes("km");
    private static final byte[] W_FT = Ascii.bytes("ft");
    private static final byte[] W_MI = Ascii.bytes("mi");
    private static final byte[] W_WITHDIST = Ascii.bytes("withdist");
    private static final byte[] W_WITHHASH = Ascii.bytes("withhash");
    private static final byte[] W_WITHCOORD = Ascii.bytes("withcoord");
    private static final byte[] W_ANY = Ascii.bytes("any");
    private static final byte[] W_ASC = Ascii.bytes("asc");
    private static final byte[] W_DESC = Ascii.bytes("desc");
    private static final byte[] W_COUNT = Ascii.bytes("count");
    private static final byte[] W_STORE = Ascii.bytes("store");
    private static final byte[] W_STOREDIST = Ascii.bytes("storedist");
    private static final byte[] W_FROMMEMBER = Ascii.bytes("frommember");
    private static final byte[] W_FROMLONLAT = Ascii.bytes("fromlonlat");
    private static final byte[] W_BYRADIUS = Ascii.bytes("byradius");
    private static final byte[] W_BYBOX = Ascii.bytes("bybox");

    // ---- argument helpers -------------------------------------------------------------------------

    /**
     * Redis getDoubleFromObjectOrReply: argument {@code i} as a double, or NaN after replying
     * {@code err} (the generic float error when null).
     */
    private static double parseDouble(Client c, int i, String err) {
        double v = Doubles.parse(c.argData(), c.argOff(i), c.argLen(i));
        if (Double.isNaN(v)) {
            c.error(err != null ? err : dev.cinnabar.server.Errors.NOT_FLOAT);
        }
        return v;
    }

    /**
     * Redis extractLongLatOrReply: longitude and latitude from arguments i and i+1 into xy;
     * false after replying an error.
     */
    private static boolean lonLat(Client c, int i, double[] xy) {
        double lon = parseDouble(c, i, null);
        if (Double.isNaN(lon)) {
            return false;
        }
        double lat = parseDouble(c, i + 1, null);
        if (Double.isNaN(lat)) {
            return false;
        }
        if (!Geo.validPosition(lon, lat)) {
            c.error("ERR invalid longitude,latitude pair " + Geo.printfF(lon) + "," + Geo.printfF(lat));
            return false;
        }
        xy[0] = lon;
        xy[1] = lat;
        return true;
    }

    /** Redis extractUnitOrReply: meters per unit, or -1 after replying an error. */
    private static double unit(Client c, int i) {
        if (c.argIs(i, W_M)) {
            return 1;
        }
        if (c.argIs(i, W_KM)) {
            return 1000;
        }
        if (c.argIs(i, W_FT)) {
            return 0.3048;
        }
        if (c.argIs(i, W_MI)) {
            return 1609.34;
        }
        c.error(BAD_UNIT);
        return -1;
    }

    /** Redis extractDistanceOrReply: "radius unit" at argument i into the search; false after an error. */
    private static boolean radius(Client c, int i, Geo.Search s) {
        double r = parseDouble(c, i, "ERR need numeric radius");
        if (Double.isNaN(r)) {
            return false;
        }
        if (r < 0) {
            c.error("ERR radius cannot be negative");
            return false;
        }
        s.radius = r;
        double conv = unit(c, i + 1);
        if (conv < 0) {
            return false;
        }
        s.conversion = conv;
        return true;
    }

    /** Redis extractBoxOrReply: "width height unit" at argument i into the search. */
    private static boolean box(Client c, int i, Geo.Search s) {
        double w = parseDouble(c, i, "ERR need numeric width");
        if (Double.isNaN(w)) {
            return false;
        }
        double h = parseDouble(c, i + 1, "ERR need numeric height");
        if (Double.isNaN(h)) {
            return false;
        }
        if (h < 0 || w < 0) {
            c.error("ERR height or width cannot be negative");
            return false;
        }
        s.height = h;
        s.width = w;
        double conv = unit(c, i + 2);
        if (conv < 0) {
            return false;
        }
        s.conversion = conv;
        return true;
    }

    /**
     * The sorted set of key argument {@code i} for a read: the set, null when the key is
     * missing, or null after replying WRONGTYPE ({@code c.erred} tells which).
     */
    private static ZSetValue readZSet(Client c, int i) {
        Object e = c.db.lookupRead(c, i);
        if (e == null) {
            return null;
        }
        ZSetValue z = ZSetFamily.asZSet(e);
        if (z == null) {
            c.wrongType();
        }
        return z;
    }

    /** Position of a member into xy; false when it is not in the set (Redis longLatFromMember). */
    private static boolean memberPosition(ZSetValue z, byte[] d, int off, int len, double[] xy) {
        double score = z.scoreOf(d, off, len);
        if (Double.isNaN(score)) {
            return false;
        }
        Geo.decode(score, xy, new double[4]);
        return true;
    }

    // ---- GEOADD -----------------------------------------------------------------------------------

    /**
     * GEOADD key [NX|XX] [CH] longitude latitude member [...]: every position is checked, then
     * the command runs as ZADD key [options] score member [...] with geohash scores, as Redis
     * rewrites it; the ZADD is also what replicas get.
     */
    static void geoadd(Client c) {
        int argc = c.argc();
        boolean nx = false;
        boolean xx = false;
        int lonIdx = 2;
        for (; lonIdx < argc; lonIdx++) {
            if (c.argIs(lonIdx, W_NX)) {
                nx = true;
            } else if (c.argIs(lonIdx, W_XX)) {
                xx = true;
            } else if (!c.argIs(lonIdx, W_CH)) {
                break;
            }
        }
        if ((argc - lonIdx) % 3 != 0 || (xx && nx)) {
            c.syntaxError();
            return;
        }
        int elements = (argc - lonIdx) / 3;
        long[] scores = new long[elements];
        double[] xy = new double[2];
        for (int i = 0; i < elements; i++) {
            if (!lonLat(c, lonIdx + i * 3, xy)) {
                return;
            }
            scores[i] = Geo.score(xy[0], xy[1]);
        }
        ArgList zadd = new ArgList();
        zadd.add(Ascii.bytes("zadd"));
        for (int i = 1; i < lonIdx; i++) {
            zadd.add(c.argCopy(i));
        }
        for (int i = 0; i < elements; i++) {
            zadd.add(Long.toString(scores[i]).getBytes(StandardCharsets.US_ASCII));
            zadd.add(c.argCopy(lonIdx + i * 3 + 2));
        }
        ArgList original = c.args;
        c.args = zadd;
        try {
            ZSetFamily.zadd(c);
        } finally {
            c.args = original;
        }
        Propagation p = c.server.replication.propagation;
        if (p.active()) {
            p.rewrite(zadd); // replicas run the ZADD, so they never recompute geohashes
        }
    }

    // ---- GEOPOS / GEODIST / GEOHASH ----------------------------------------------------------------

    /** GEOPOS key [member ...]: [longitude, latitude] per member, a null array when missing. */
    static void geopos(Client c) {
        ZSetValue z = readZSet(c, 1);
        if (z == null && c.erred) {
            return;
        }
        int argc = c.argc();
        byte[] d = c.argData();
        double[] xy = new double[2];
        double[] tmp = new double[4];
        byte[] buf = new byte[Geo.MAX_CHARS];
        c.reply.arrayLen(argc - 2);
        for (int j = 2; j < argc; j++) {
            double score = z == null ? Double.NaN : z.scoreOf(d, c.argOff(j), c.argLen(j));
            if (Double.isNaN(score)) {
                c.reply.nullArray();
                continue;
            }
            Geo.decode(score, xy, tmp);
            c.reply.arrayLen(2);
            replyCoordinate(c, xy[0], buf);
            replyCoordinate(c, xy[1], buf);
        }
    }

    private static void replyCoordinate(Client c, double v, byte[] buf) {
        int n = Geo.formatCoordinate(v, buf, 0);
        c.reply.doubleFormatted(buf, 0, n);
    }

    private static void replyDistance(Client c, double v, byte[] buf) {
        int n = Geo.formatDistance(v, buf, 0);
        c.reply.bulk(buf, 0, n);
    }

    /** GEODIST key member1 member2 [unit]: null when a member (or the key) is missing. */
    static void geodist(Client c) {
        double toMeters = 1;
        if (c.argc() == 5) {
            toMeters = unit(c, 4);
            if (toMeters < 0) {
                return;
            }
        } else if (c.argc() > 5) {
            c.syntaxError();
            return;
        }
        ZSetValue z = readZSet(c, 1);
        if (z == null) {
            if (!c.erred) {
                c.reply.nullBulk();
            }
            return;
        }
        byte[] d = c.argData();
        double s1 = z.scoreOf(d, c.argOff(2), c.argLen(2));
        double s2 = Double.isNaN(s1) ? Double.NaN : z.scoreOf(d, c.argOff(3), c.argLen(3));
        if (Double.isNaN(s2)) {
            c.reply.nullBulk();
            return;
        }
        double[] a = new double[2];
        double[] b = new double[2];
        double[] tmp = new double[4];
        Geo.decode(s1, a, tmp);
        Geo.decode(s2, b, tmp);
        replyDistance(c, Geo.distance(a[0], a[1], b[0], b[1]) / toMeters, new byte[Geo.MAX_CHARS]);
    }

    /** GEOHASH key [member ...]: the 11-character geohash per member, null when missing. */
    static void geohash(Client c) {
        ZSetValue z = readZSet(c, 1);
        if (z == null && c.erred) {
            return;
        }
        int argc = c.argc();
        byte[] d = c.argData();
        byte[] buf = new byte[11];
        c.reply.arrayLen(argc - 2);
        for (int j = 2; j < argc; j++) {
            double score = z == null ? Double.NaN : z.scoreOf(d, c.argOff(j), c.argLen(j));
            if (Double.isNaN(score)) {
                c.reply.nullBulk();
                continue;
            }
            Geo.geohashString(score, buf, 0);
            c.reply.bulk(buf, 0, 11);
        }
    }

    // ---- GEORADIUS family and GEOSEARCH -------------------------------------------------------------

    /**
     * Redis georadiusGeneric: the shared body of every search command. {@code src} is the
     * source key's argument, {@code flags} the variant.
     */
    private static void search(Client c, int src, int flags) {
        c.dirtyChanges = 0;
        ZSetValue z = readZSet(c, src);
        if (z == null && c.erred) {
            return;
        }
        byte[] d = c.argData();
        Geo.Search s = new Geo.Search();
        double[] xy = new double[2];
        int base;
        int storeArg = -1; // argument holding the destination key, -1 for none
        if ((flags & COORDS) != 0) {
            base = 6;
            if (!lonLat(c, 2, xy) || !radius(c, 4, s)) {
                return;
            }
            s.lon = xy[0];
            s.lat = xy[1];
        } else if ((flags & MEMBER) != 0) {
            base = 5;
            // Without the key the arguments are still parsed, to know which empty reply to give.
            if (z != null) {
                if (!memberPosition(z, d, c.argOff(2), c.argLen(2), xy)) {
                    c.error(NO_MEMBER);
                    return;
                }
                s.lon = xy[0];
                s.lat = xy[1];
                if (!radius(c, 3, s)) {
                    return;
                }
            }
        } else {
            base = 2;
            if ((flags & SEARCHSTORE) != 0) {
                base = 3;
                storeArg = 1;
            }
        }
        boolean withDist = false;
        boolean withHash = false;
        boolean withCoord = false;
        boolean fromMember = false;
        boolean fromLonLat = false;
        boolean byRadius = false;
        boolean byBox = false;
        boolean storeDist = false;
        boolean any = false;
        int sort = 0; // 0 none, 1 ASC, 2 DESC
        long count = 0;
        int argc = c.argc();
        boolean search = (flags & SEARCH) != 0;
        boolean storeAllowed = (flags & NOSTORE) == 0 && !search;
        int remaining = argc - base;
        for (int i = 0; i < remaining; i++) {
            int a = base + i;
            if (c.argIs(a, W_WITHDIST)) {
                withDist = true;
            } else if (c.argIs(a, W_WITHHASH)) {
                withHash = true;
            } else if (c.argIs(a, W_WITHCOORD)) {
                withCoord = true;
            } else if (c.argIs(a, W_ANY)) {
                any = true;
            } else if (c.argIs(a, W_ASC)) {
                sort = 1;
            } else if (c.argIs(a, W_DESC)) {
                sort = 2;
            } else if (c.argIs(a, W_COUNT) && i + 1 < remaining) {
                if (!c.parseLong(a + 1)) {
                    return;
                }
                count = c.parsed();
                if (count <= 0) {
                    c.error("ERR COUNT must be > 0");
                    return;
                }
                i++;
            } else if (c.argIs(a, W_STORE) && i + 1 < remaining && storeAllowed) {
                storeArg = a + 1;
                storeDist = false;
                i++;
            } else if (c.argIs(a, W_STOREDIST) && i + 1 < remaining && storeAllowed) {
                storeArg = a + 1;
                storeDist = true;
                i++;
            } else if (c.argIs(a, W_STOREDIST) && search && (flags & SEARCHSTORE) != 0) {
                storeDist = true;
            } else if (c.argIs(a, W_FROMMEMBER) && i + 1 < remaining && search && !fromLonLat) {
                if (z != null) {
                    if (!memberPosition(z, d, c.argOff(a + 1), c.argLen(a + 1), xy)) {
                        c.error(NO_MEMBER);
                        return;
                    }
                    s.lon = xy[0];
                    s.lat = xy[1];
                }
                fromMember = true;
                i++;
            } else if (c.argIs(a, W_FROMLONLAT) && i + 2 < remaining && search && !fromMember) {
                if (!lonLat(c, a + 1, xy)) {
                    return;
                }
                s.lon = xy[0];
                s.lat = xy[1];
                fromLonLat = true;
                i += 2;
            } else if (c.argIs(a, W_BYRADIUS) && i + 2 < remaining && search && !byBox) {
                if (!radius(c, a + 1, s)) {
                    return;
                }
                s.box = false;
                byRadius = true;
                i += 2;
            } else if (c.argIs(a, W_BYBOX) && i + 3 < remaining && search && !byRadius) {
                if (!box(c, a + 1, s)) {
                    return;
                }
                s.box = true;
                byBox = true;
                i += 3;
            } else {
                c.syntaxError();
                return;
            }
        }
        if (storeArg >= 0 && (withDist || withHash || withCoord)) {
            c.error("ERR " + ((flags & SEARCHSTORE) != 0 ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS")
                    + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
            return;
        }
        if (search && !(fromMember || fromLonLat)) {
            c.error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + c.argForMessage(0));
            return;
        }
        if (search && !(byRadius || byBox)) {
            c.error("ERR exactly one of BYRADIUS and BYBOX can be specified for " + c.argForMessage(0));
            return;
        }
        if (any && count == 0) {
            c.error("ERR the ANY argument requires COUNT argument");
            return;
        }
        if (z == null) {
            if (storeArg >= 0) {
                deleteStore(c, storeArg);
                c.reply.zero();
            } else {
                c.reply.emptyArray();
            }
            return;
        }
        // The nearest COUNT need sorting; COUNT ANY takes the first found.
        if (count != 0 && sort == 0 && !any) {
            sort = 1;
        }
        s.run(z, any ? count : 0);
        int found = s.size();
        if (found == 0 && storeArg < 0) {
            c.reply.emptyArray();
            return;
        }
        int returned = count == 0 || found < count ? found : (int) count;
        if (sort != 0) {
            s.sort(sort == 2, returned);
        }
        if (storeArg < 0) {
            int options = (withDist ? 1 : 0) + (withCoord ? 1 : 0) + (withHash ? 1 : 0);
            byte[] buf = new byte[Geo.MAX_CHARS];
            byte[] members = s.memberArray();
            c.reply.arrayLen(returned);
            for (int i = 0; i < returned; i++) {
                if (options > 0) {
                    c.reply.arrayLen(options + 1);
                }
                c.reply.bulk(members, s.memberOffset(i), s.memberLength(i));
                if (withDist) {
                    replyDistance(c, s.distance(i) / s.conversion, buf);
                }
                if (withHash) {
                    c.reply.integer((long) s.score(i));
                }
                if (withCoord) {
                    c.reply.arrayLen(2);
                    replyCoordinate(c, s.longitude(i), buf);
                    replyCoordinate(c, s.latitude(i), buf);
                }
            }
            return;
        }
        if (returned > 0) {
            ZSetValue dst = ZSetValue.createSkiplist();
            byte[] members = s.memberArray();
            long maxLen = 0;
            long totLen = 0;
            for (int i = 0; i < returned; i++) {
                int len = s.memberLength(i);
                maxLen = Math.max(maxLen, len);
                totLen += len;
                double score = storeDist ? s.distance(i) / s.conversion : s.score(i);
                dst.add(members, s.memberOffset(i), len, score, 0, Long.MAX_VALUE, Long.MAX_VALUE);
            }
            dst.convertToListpackIfNeeded(maxLen, totLen, ZSetFamily.maxEntries(c), ZSetFamily.maxValue(c));
            c.db.setObject(d, c.argOff(storeArg), c.argLen(storeArg), dst, -1);
            c.server.notify(KeyEvents.ZSET, search ? KeyEvents.GEOSEARCHSTORE : KeyEvents.GEORADIUSSTORE, c.db.id, d,
                    c.argOff(storeArg), c.argLen(storeArg));
            c.dirtyChanges = returned;
        } else {
            deleteStore(c, storeArg);
        }
        c.reply.integer(returned);
    }

    /** Deletes the destination of an empty stored result, notifying as Redis does. */
    private static void deleteStore(Client c, int arg) {
        byte[] d = c.argData();
        if (c.db.delete(d, c.argOff(arg), c.argLen(arg))) {
            c.server.notify(KeyEvents.GENERIC, KeyEvents.DEL, c.db.id, d, c.argOff(arg), c.argLen(arg));
            c.dirtyChanges = 1;
        }
    }
}
