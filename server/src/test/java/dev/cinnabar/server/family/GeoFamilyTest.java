package dev.cinnabar.server.family;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.server.testkit.RespClient;
import dev.cinnabar.server.testkit.RespClient.Err;
import dev.cinnabar.server.testkit.ServerFixture;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Geo commands through a real server, mirroring upstream unit/geo: scores, search results and
 * their order, reply formats (RESP2 and RESP3), STORE/STOREDIST, and the error texts.
 */
class GeoFamilyTest {
    @RegisterExtension
    static final ServerFixture server = ServerFixture.create()
            .eachTest("FLUSHALL");
    final RespClient c = server.client();

    private Object r(Object... args) throws Exception {
        return c.call(args);
    }

    private String err(Object... args) throws Exception {
        Object o = c.call(args);
        assertThat(o).as("reply to %s", List.of(args)).isInstanceOf(Err.class);
        return ((Err) o).message();
    }

    private void nyc() throws Exception {
        r("GEOADD", "nyc", "-73.9454966", "40.747533", "lic market");
        r("GEOADD", "nyc", "-73.9733487", "40.7648057", "central park n/q/r", "-73.9903085", "40.7362513", "union square",
                "-74.0131604", "40.7126674", "wtc one", "-73.7858139", "40.6428986", "jfk", "-73.9375699", "40.7498929", "q4",
                "-73.9564142", "40.7480973", "4545");
    }

    @Test
    void geoaddOptionsAndScores() throws Exception {
        assertThat(r("GEOADD", "nyc", "-73.9454966", "40.747533", "lic market")).isEqualTo(1L);
        assertThat(r("GEOADD", "nyc", "-73.9454966", "40.747533", "lic market")).isEqualTo(0L);
        assertThat(r("GEOADD", "nyc", "CH", "40.747533", "-73.9454966", "lic market")).isEqualTo(1L);
        assertThat(r("GEOADD", "nyc", "NX", "-73.9454966", "40.747533", "lic market")).isEqualTo(0L);
        assertThat(r("GEOADD", "nyc", "XX", "-83.9454966", "40.747533", "lic market")).isEqualTo(0L);
        assertThat(r("GEOADD", "nyc", "CH", "NX", "-73.9454966", "40.747533", "lic market")).isEqualTo(0L);
        assertThat(r("GEOADD", "nyc", "CH", "XX", "-73.9454966", "40.747533", "lic market")).isEqualTo(1L);
        assertThat(r("GEOADD", "nyc", "XX", "-73.9454966", "40.747533", "new")).isEqualTo(0L);
        assertThat(err("GEOADD", "nyc", "xx", "nx", "-73.9454966", "40.747533", "lic market")).isEqualTo("ERR syntax error");
        assertThat(err("GEOADD", "nyc", "ch", "xx", "foo", "-73.9454966", "40.747533", "lic market"))
                .isEqualTo("ERR syntax error");
        assertThat(err("GEOADD", "nyc", "GT", "-73.9454966", "40.747533", "lic market")).isEqualTo("ERR syntax error");
        assertThat(err("GEOADD", "nyc", "-73.9454966", "40.747533", "lic market", "foo", "bar", "luck market"))
                .isEqualTo("ERR value is not a valid float");
        assertThat(err("GEOADD", "nyc", "200", "100", "x")).isEqualTo("ERR invalid longitude,latitude pair 200.000000,100.000000");
        assertThat(err("GEOADD", "nyc", "10", "85.06", "x")).isEqualTo("ERR invalid longitude,latitude pair 10.000000,85.060000");
        assertThat(err("GEOADD", "nyc", "CH")).startsWith("ERR wrong number of arguments");
        r("DEL", "nyc");
        nyc();
        assertThat(r("ZRANGE", "nyc", "0", "-1", "WITHSCORES")).isEqualTo(List.of("wtc one", "1791873972053020",
                "union square", "1791875485187452", "central park n/q/r", "1791875761332224", "4545", "1791875796750882",
                "lic market", "1791875804419201", "q4", "1791875830079666", "jfk", "1791895905559723"));
        r("SET", "str", "x");
        assertThat(err("GEOADD", "str", "1", "1", "m")).startsWith("WRONGTYPE");
    }

    @Test
    void radiusAndSearchResults() throws Exception {
        nyc();
        List<String> three = List.of("central park n/q/r", "4545", "union square");
        assertThat(r("GEORADIUS", "nyc", "-73.9798091", "40.7598464", "3", "km", "asc")).isEqualTo(three);
        assertThat(r("GEORADIUS_RO", "nyc", "-73.9798091", "40.7598464", "3", "km", "asc")).isEqualTo(three);
        assertThat(r("GEOSEARCH", "nyc", "fromlonlat", "-73.9798091", "40.7598464", "bybox", "6", "6", "km", "asc"))
                .isEqualTo(List.of("central park n/q/r", "4545", "union square", "lic market"));
        assertThat(r("GEORADIUS", "nyc", "-73.9798091", "40.7598464", "3", "km", "withdist", "asc")).isEqualTo(List.of(
                List.of("central park n/q/r", "0.7750"), List.of("4545", "2.3651"), List.of("union square", "2.7697")));
        assertThat(r("GEORADIUS", "nyc", "-73.9798091", "40.7598464", "10", "km", "COUNT", "3")).isEqualTo(three);
        assertThat(r("GEORADIUS", "nyc", "-73.9798091", "40.7598464", "10", "km", "COUNT", "3", "ANY"))
                .isEqualTo(List.of("wtc one", "union square", "central park n/q/r"));
        assertThat(r("GEORADIUS", "nyc", "-73.9798091", "40.7598464", "10", "km", "COUNT", "3", "ANY", "ASC"))
                .isEqualTo(List.of("central park n/q/r", "union square", "wtc one"));
        assertThat(r("GEORADIUS", "nyc", "-73.9798091", "40.7598464", "10", "km", "COUNT", "2", "DESC"))
                .isEqualTo(List.of("wtc one", "q4"));
        assertThat(r("GEORADIUSBYMEMBER", "nyc", "wtc one", "7", "km"))
                .isEqualTo(List.of("wtc one", "union square", "central park n/q/r", "4545", "lic market"));
        assertThat(r("GEORADIUSBYMEMBER", "nyc", "wtc one", "7", "km", "withdist")).isEqualTo(List.of(
                List.of("wtc one", "0.0000"), List.of("union square", "3.2544"), List.of("central park n/q/r", "6.7000"),
                List.of("4545", "6.1975"), List.of("lic market", "6.8969")));
        assertThat(r("GEOSEARCH", "nyc", "frommember", "wtc one", "bybox", "14", "14", "km"))
                .isEqualTo(List.of("wtc one", "union square", "central park n/q/r", "4545", "lic market", "q4"));
        assertThat(r("GEORADIUS", "nyc", "-73.9798091", "40.7598464", "10", "km", "WITHDIST", "WITHHASH", "WITHCOORD",
                "COUNT", "1")).isEqualTo(List.of(List.of("central park n/q/r", "0.7750", 1791875761332224L,
                        List.of("-73.97334784269332886", "40.76480639569881959"))));
    }

    @Test
    void resp3RepliesCoordinatesAsDoubles() throws Exception {
        nyc();
        r("HELLO", "3");
        assertThat(r("GEOPOS", "nyc", "4545", "nope")).isEqualTo(
                java.util.Arrays.asList(List.of(-73.95641237497329712, 40.74809751381645384), null));
        assertThat(r("GEORADIUS", "nyc", "-73.9798091", "40.7598464", "10", "km", "WITHDIST", "COUNT", "1"))
                .isEqualTo(List.of(List.of("central park n/q/r", "0.7750")));
    }

    @Test
    void searchEdges() throws Exception {
        r("GEOADD", "users", "-47.271613776683807", "-54.534504198047678", "user_000000");
        assertThat((List<?>) r("GEORADIUS", "users", "0", "0", "50000", "km", "WITHCOORD")).hasSize(1);
        r("GEOADD", "k1", "-0.15307903289794921875", "85", "n1", "0.3515625", "85.00019260486917005437", "n2");
        assertThat(r("GEORADIUSBYMEMBER", "k1", "n1", "4891.94", "m")).isEqualTo(List.of("n1", "n2"));
        r("DEL", "k1");
        r("GEOADD", "k1", "45", "65", "n1", "-135", "85.05", "n2");
        assertThat(r("GEORADIUSBYMEMBER", "k1", "n1", "5009431", "m")).isEqualTo(List.of("n1", "n2"));
        r("GEOADD", "points", "179.5", "36", "point1", "-179.5", "36", "point2");
        assertThat(r("GEOSEARCH", "points", "fromlonlat", "179", "37", "bybox", "400", "400", "km", "asc"))
                .isEqualTo(List.of("point1", "point2"));
        assertThat(r("GEOSEARCH", "points", "fromlonlat", "-179", "37", "bybox", "400", "400", "km", "asc"))
                .isEqualTo(List.of("point2", "point1"));
        r("GEOADD", "near", "-122.407107", "37.794300", "1", "-122.227336", "37.794300", "2");
        assertThat(r("GEORADIUS", "near", "-122.407107", "37.794300", "30", "mi", "ASC", "WITHDIST"))
                .isEqualTo(List.of(List.of("1", "0.0001"), List.of("2", "9.8182")));
        r("GEOADD", "Sicily", "12.75", "36.995", "test1", "12.75", "36.50", "test2", "13.00", "36.50", "test3");
        assertThat(r("GEOSEARCH", "Sicily", "fromlonlat", "15", "37", "bybox", "400", "2", "km")).isEqualTo(List.of("test1"));
    }

    @Test
    void positionsHashesAndDistances() throws Exception {
        r("GEOADD", "points", "-5.6", "42.6", "test");
        assertThat(r("GEOHASH", "points", "test", "nope")).isEqualTo(java.util.Arrays.asList("ezs42e44yx0", null));
        assertThat(r("GEOHASH", "points")).isEqualTo(List.of());
        assertThat(r("GEOHASH", "nokey", "a")).isEqualTo(java.util.Arrays.asList((Object) null));
        assertThat(r("GEOPOS", "points")).isEqualTo(List.of());
        assertThat(r("GEOPOS", "nokey", "a")).isEqualTo(java.util.Arrays.asList((Object) null));
        r("GEOADD", "sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania");
        assertThat(r("GEOPOS", "sicily", "Palermo")).isEqualTo(List.of(List.of("13.36138933897018433", "38.11555639549629859")));
        assertThat(r("GEODIST", "sicily", "Palermo", "Catania")).isEqualTo("166274.1516");
        assertThat(r("GEODIST", "sicily", "Palermo", "Catania", "km")).isEqualTo("166.2742");
        assertThat(r("GEODIST", "sicily", "Palermo", "Catania", "MI")).isEqualTo("103.3182");
        assertThat(r("GEODIST", "sicily", "Palermo", "Catania", "ft")).isEqualTo("545518.8700");
        assertThat(r("GEODIST", "sicily", "Palermo", "Palermo")).isEqualTo("0.0000");
        assertThat(r("GEODIST", "sicily", "Palermo", "Agrigento")).isNull();
        assertThat(r("GEODIST", "nokey", "Palermo", "Catania")).isNull();
        assertThat(err("GEODIST", "sicily", "Palermo", "Catania", "yd"))
                .isEqualTo("ERR unsupported unit provided. please use M, KM, FT, MI");
        assertThat(err("GEODIST", "sicily", "Palermo", "Catania", "km", "x")).isEqualTo("ERR syntax error");
        r("SET", "str", "x");
        assertThat(err("GEOPOS", "str", "a")).startsWith("WRONGTYPE");
        assertThat(err("GEOHASH", "str", "a")).startsWith("WRONGTYPE");
        assertThat(err("GEODIST", "str", "a", "b")).startsWith("WRONGTYPE");
    }

    @Test
    void errors() throws Exception {
        nyc();
        assertThat(err("GEOSEARCH", "nyc", "fromlonlat", "-73.9798091", "40.7598464", "frommember", "xxx", "bybox", "6", "6",
                "km", "asc")).isEqualTo("ERR syntax error");
        assertThat(err("geosearch", "nyc", "bybox", "3", "3", "km", "asc", "desc", "withhash", "withdist", "withcoord"))
                .isEqualTo("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch");
        assertThat(err("GEOSEARCH", "nyc", "fromlonlat", "-73.9798091", "40.7598464", "byradius", "3", "km", "bybox", "3",
                "3", "km", "asc")).isEqualTo("ERR syntax error");
        assertThat(err("GEOSEARCH", "nyc", "fromlonlat", "-73.9798091", "40.7598464", "asc", "desc", "withhash"))
                .isEqualTo("ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH");
        assertThat(err("GEOSEARCH", "nyc", "fromlonlat", "-73.9798091", "40.7598464", "bybox", "6", "6", "km", "storedist"))
                .isEqualTo("ERR syntax error");
        assertThat(err("GEORADIUS", "nyc", "-73.9798091", "40.7598464", "10", "km", "ANY", "ASC"))
                .isEqualTo("ERR the ANY argument requires COUNT argument");
        assertThat(err("GEORADIUS", "nyc", "-73.9798091", "40.7598464", "10", "km", "COUNT")).isEqualTo("ERR syntax error");
        assertThat(err("GEORADIUS", "nyc", "-73.9798091", "40.7598464", "10", "km", "COUNT", "0"))
                .isEqualTo("ERR COUNT must be > 0");
        assertThat(err("GEORADIUS", "nyc", "-73.9798091", "40.7598464", "10", "km", "COUNT", "x"))
                .isEqualTo("ERR value is not an integer or out of range");
        assertThat(err("GEORADIUS", "nyc", "-73.9798091", "40.7598464", "x", "km")).isEqualTo("ERR need numeric radius");
        assertThat(err("GEORADIUS", "nyc", "-73.9798091", "40.7598464", "-1", "km")).isEqualTo("ERR radius cannot be negative");
        assertThat(err("GEORADIUS", "nyc", "-73.9798091", "40.7598464", "1", "yd"))
                .isEqualTo("ERR unsupported unit provided. please use M, KM, FT, MI");
        assertThat(err("GEOSEARCH", "nyc", "fromlonlat", "0", "0", "bybox", "x", "1", "m")).isEqualTo("ERR need numeric width");
        assertThat(err("GEOSEARCH", "nyc", "fromlonlat", "0", "0", "bybox", "1", "x", "m")).isEqualTo("ERR need numeric height");
        assertThat(err("GEOSEARCH", "nyc", "fromlonlat", "0", "0", "bybox", "1", "-1", "m"))
                .isEqualTo("ERR height or width cannot be negative");
        assertThat(err("GEORADIUSBYMEMBER", "nyc", "nope", "1", "km")).isEqualTo("ERR could not decode requested zset member");
        assertThat(err("GEOSEARCH", "nyc", "frommember", "nope", "byradius", "1", "km"))
                .isEqualTo("ERR could not decode requested zset member");
        assertThat(err("GEORADIUS", "nyc", "0", "0", "50", "km", "store", "x", "withdist"))
                .isEqualTo("ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
        assertThat(err("GEOSEARCHSTORE", "x", "nyc", "fromlonlat", "0", "0", "byradius", "1", "km", "withcoord"))
                .isEqualTo("ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
        assertThat(err("GEORADIUS_RO", "nyc", "0", "0", "50", "km", "store", "x")).isEqualTo("ERR syntax error");
        assertThat(err("GEORADIUS", "nyc", "0", "0", "50", "km", "store")).isEqualTo("ERR syntax error");
    }

    @Test
    void missingOrWrongSourceKeys() throws Exception {
        r("SET", "src{t}", "wrong_type");
        assertThat(err("GEORADIUS", "src{t}", "1", "1", "1", "km")).startsWith("WRONGTYPE");
        assertThat(err("GEOSEARCHSTORE", "dest{t}", "src{t}", "fromlonlat", "0", "0", "byradius", "1", "km"))
                .startsWith("WRONGTYPE");
        r("DEL", "src{t}");
        assertThat(r("GEORADIUS", "src{t}", "1", "1", "1", "km")).isEqualTo(List.of());
        assertThat(r("GEORADIUSBYMEMBER", "src{t}", "member", "1", "km")).isEqualTo(List.of());
        // Without the key the member and radius are not even looked at.
        assertThat(r("GEORADIUSBYMEMBER", "src{t}", "member", "abc", "xx")).isEqualTo(List.of());
        r("SET", "dest{t}", "x");
        assertThat(r("GEORADIUS", "src{t}", "1", "1", "1", "km", "store", "dest{t}")).isEqualTo(0L);
        assertThat(r("EXISTS", "dest{t}")).isEqualTo(0L);
        assertThat(r("GEOSEARCHSTORE", "dest{t}", "src{t}", "frommember", "member", "bybox", "1", "1", "m")).isEqualTo(0L);
    }

    @Test
    void storeAndStoreDist() throws Exception {
        r("GEOADD", "points{t}", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania");
        assertThat(r("GEORADIUS", "points{t}", "13.361389", "38.115556", "500", "km", "store", "points2{t}")).isEqualTo(2L);
        assertThat(r("ZRANGE", "points2{t}", "0", "-1", "WITHSCORES")).isEqualTo(r("ZRANGE", "points{t}", "0", "-1", "WITHSCORES"));
        assertThat(r("OBJECT", "ENCODING", "points2{t}")).isEqualTo("listpack");
        r("GEORADIUSBYMEMBER", "points{t}", "Catania", "500", "km", "storedist", "points2{t}");
        assertThat(r("ZRANGE", "points2{t}", "0", "-1", "WITHSCORES"))
                .isEqualTo(List.of("Catania", "0", "Palermo", "166.27415156960032"));
        assertThat(r("GEORADIUS", "points{t}", "13.361389", "38.115556", "500", "km", "storedist", "points2{t}", "desc",
                "count", "1")).isEqualTo(1L);
        assertThat(r("ZRANGE", "points2{t}", "0", "-1")).isEqualTo(List.of("Catania"));
        assertThat(r("GEOSEARCHSTORE", "points2{t}", "points{t}", "fromlonlat", "13.361389", "38.115556", "byradius", "500",
                "km", "storedist")).isEqualTo(2L);
        assertThat(r("ZSCORE", "points2{t}", "Catania")).isEqualTo("166.27416107465282");
        // An empty result deletes the destination.
        assertThat(r("GEOSEARCHSTORE", "points2{t}", "points{t}", "fromlonlat", "0", "0", "byradius", "1", "km")).isEqualTo(0L);
        assertThat(r("EXISTS", "points2{t}")).isEqualTo(0L);
        // The destination may be the source.
        assertThat(r("GEOSEARCHSTORE", "points{t}", "points{t}", "frommember", "Palermo", "byradius", "1", "km")).isEqualTo(1L);
        assertThat(r("ZRANGE", "points{t}", "0", "-1")).isEqualTo(List.of("Palermo"));
    }

    @Test
    void equalDistancesKeepRedisOrder() throws Exception {
        // 12 members at one position: every distance ties, so the order is the sort algorithm's.
        for (int i = 0; i < 12; i++) {
            r("GEOADD", "same", "10", "10", "m" + i);
        }
        List<String> all = List.of("m0", "m1", "m10", "m11", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
        assertThat(r("GEOSEARCH", "same", "fromlonlat", "10", "10", "byradius", "1", "km", "ASC")).isEqualTo(all);
        assertThat(r("GEOSEARCH", "same", "fromlonlat", "10", "10", "byradius", "1", "km", "DESC")).isEqualTo(all);
        // Partial sort (COUNT below the matches): Redis's pqsort moves ties around.
        assertThat(r("GEOSEARCH", "same", "fromlonlat", "10", "10", "byradius", "1", "km", "COUNT", "3"))
                .isEqualTo(List.of("m9", "m1", "m10")); // as Redis 7.0.15 replies
    }
}
