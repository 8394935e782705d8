package dev.cinnabar.server.persistence.aof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The manifest's line format, as Redis 7 writes and reads it. */
class AofManifestTest {

    @Test
    void formatsBaseThenHistoryThenIncr() throws Exception {
        AofManifest m = new AofManifest();
        assertThat(m.newBase("appendonly.aof", true)).isEqualTo("appendonly.aof.1.base.rdb");
        assertThat(m.newIncr("appendonly.aof")).isEqualTo("appendonly.aof.1.incr.aof");
        // A rewrite starts: a new incr file; it ends: new base, the old files become history.
        m.newIncr("appendonly.aof");
        assertThat(m.newBase("appendonly.aof", false)).isEqualTo("appendonly.aof.2.base.aof");
        m.markRewrittenIncrAsHistory(true);
        assertThat(m.format()).isEqualTo("""
                file appendonly.aof.2.base.aof seq 2 type b
                file appendonly.aof.1.incr.aof seq 1 type h
                file appendonly.aof.1.base.rdb seq 1 type h
                file appendonly.aof.2.incr.aof seq 2 type i
                """);
        AofManifest back = AofManifest.parse(m.format());
        assertThat(back.format()).isEqualTo(m.format());
        assertThat(back.newIncr("appendonly.aof")).isEqualTo("appendonly.aof.3.incr.aof");
        assertThat(back.newBase("appendonly.aof", true)).isEqualTo("appendonly.aof.3.base.rdb");
    }

    @Test
    void quotesNamesThatNeedIt() throws Exception {
        AofManifest m = new AofManifest();
        m.newIncr("my file\n.aof");
        assertThat(m.format()).isEqualTo("file \"my file\\n.aof.1.incr.aof\" seq 1 type i\n");
        assertThat(AofManifest.parse(m.format()).incr().getFirst().name()).isEqualTo("my file\n.aof.1.incr.aof");
    }

    @Test
    void readsWhatRedisWrites() throws Exception {
        String redis = "# a comment\nfile appendonly.aof.1.base.rdb seq 1 type b\n"
                + "file appendonly.aof.1.incr.aof seq 1 type i extra value\n";
        AofManifest m = AofManifest.parse(redis);
        assertThat(m.base().name()).isEqualTo("appendonly.aof.1.base.rdb");
        assertThat(m.incr()).hasSize(1);
    }

    @Test
    void refusesBrokenManifestsWithRedisReasons() {
        assertThatThrownBy(() -> AofManifest.parse("")).hasMessage("Found an empty AOF manifest");
        assertThatThrownBy(() -> AofManifest.parse("file a seq 1\n")).hasMessage("Invalid AOF manifest file format");
        assertThatThrownBy(() -> AofManifest.parse("\n")).hasMessage("Invalid AOF manifest file format");
        assertThatThrownBy(() -> AofManifest.parse("file a seq 1 type b\nfile b seq 2 type b\n"))
                .hasMessage("Found duplicate base file information");
        assertThatThrownBy(() -> AofManifest.parse("file a seq 2 type i\nfile b seq 2 type i\n"))
                .hasMessage("Found a non-monotonic sequence number");
        assertThatThrownBy(() -> AofManifest.parse("file a seq 1 type x\n")).hasMessage("Unknown AOF file type");
        assertThatThrownBy(() -> AofManifest.parse("file ../a seq 1 type i\n"))
                .hasMessage("File can't be a path, just a filename");
        assertThatThrownBy(() -> AofManifest.parse("file a seq 1 type i")) // no newline: cut short
                .hasMessage("The AOF manifest file contains too long line");
    }
}
