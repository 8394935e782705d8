package dev.cinnabar.server.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinnabar.resp.ArgList;
import dev.cinnabar.server.command.CommandSpec.KeySpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Key extraction from key specs and from Redis's per-command key finders. */
class KeyExtractorTest {
    static Command command(String name, int arity, KeySpec... specs) {
        CommandSpec s = new CommandSpec(name, name, "generic", null, null, null, arity, 0, 0, List.of(),
                List.of(specs), List.of(), List.of(), 0, null, null, List.of());
        return new Command(s, null);
    }

    static List<String> keys(Command cmd, String... args) {
        ArgList a = new ArgList();
        a.add("COMMAND").add("GETKEYS");
        for (String s : args) {
            a.add(s);
        }
        KeyExtractor.Result r = new KeyExtractor.Result();
        int n = KeyExtractor.keys(cmd, a, 2, args.length, r);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(a.latin1(2 + r.position(i)));
        }
        return out;
    }

    static final long RW = CommandFlags.KEY_RW;

    @Test
    void rangeSpecs() {
        Command mset = command("mset", -3, new KeySpec(RW, null, 1, null, 0, KeySpec.FK_RANGE, -1, 2, 0));
        assertThat(keys(mset, "mset", "a", "1", "b", "2")).containsExactly("a", "b");
        Command del = command("del", -2, new KeySpec(RW, null, 1, null, 0, KeySpec.FK_RANGE, -1, 1, 0));
        assertThat(keys(del, "del", "x", "y", "z")).containsExactly("x", "y", "z");
        // lastkey -1 with a limit: the first half of the remaining arguments (XREAD-like keys/ids).
        Command half = command("half", -3, new KeySpec(RW, null, 1, null, 0, KeySpec.FK_RANGE, -1, 1, 2));
        assertThat(keys(half, "half", "k1", "k2", "id1", "id2")).containsExactly("k1", "k2");
    }

    @Test
    void keywordAndKeynumSpecs() {
        Command xread = command("xreadlike", -4,
                new KeySpec(RW, null, 0, "STREAMS", 1, KeySpec.FK_RANGE, -1, 1, 2));
        assertThat(keys(xread, "xreadlike", "COUNT", "2", "streams", "s1", "s2", "0", "0")).containsExactly("s1", "s2");
        assertThat(keys(xread, "xreadlike", "COUNT", "2")).isEmpty();
        Command zu = command("zunionlike", -4,
                new KeySpec(RW, null, 1, null, 0, KeySpec.FK_RANGE, 0, 1, 0),
                new KeySpec(RW, null, 2, null, 0, KeySpec.FK_KEYNUM, 0, 1, 1));
        assertThat(keys(zu, "zunionlike", "dst", "2", "a", "b", "WEIGHTS", "1", "2")).containsExactly("dst", "a", "b");
        assertThat(keys(zu, "zunionlike", "dst", "x", "a")).isEmpty(); // bad numkeys: no keys
        assertThat(keys(zu, "zunionlike", "dst", "5", "a")).isEmpty(); // past the end
        // A keyword searched from the end (MIGRATE ... KEYS k1 k2).
        Command back = command("backlike", -2, new KeySpec(RW, null, 0, "KEYS", -2, KeySpec.FK_RANGE, -1, 1, 0));
        assertThat(keys(back, "backlike", "h", "p", "", "0", "5", "KEYS", "k1", "k2")).containsExactly("k1", "k2");
    }

    @Test
    void finderReplacesIncompleteOrVariableSpecs() {
        KeySpec incomplete = new KeySpec(CommandFlags.KEY_RO | CommandFlags.KEY_INCOMPLETE, null, 1, null, 0,
                KeySpec.FK_RANGE, 0, 1, 0);
        Command sort = command("sort", -2, incomplete);
        assertThat(keys(sort, "sort", "src", "BY", "w_*", "LIMIT", "0", "1", "STORE", "dst")).containsExactly("src", "dst");
        assertThat(keys(sort, "sort", "src", "GET", "store", "STORE")).containsExactly("src");
        Command eval = command("eval", -3, new KeySpec(RW, null, 2, null, 0, KeySpec.FK_KEYNUM, 0, 1, 1));
        assertThat(keys(eval, "eval", "return 1", "2", "k1", "k2", "arg")).containsExactly("k1", "k2");
        assertThat(keys(eval, "eval", "return 1", "0")).isEmpty();
        Command migrate = command("migrate", -6, incomplete);
        assertThat(keys(migrate, "migrate", "h", "1", "", "0", "5", "COPY", "AUTH", "pw", "KEYS", "a", "b"))
                .containsExactly("a", "b");
        assertThat(keys(migrate, "migrate", "h", "1", "key", "0", "5")).containsExactly("key");
        Command xread = command("xread", -4, new KeySpec(RW, null, 0, "STREAMS", 1, KeySpec.FK_UNKNOWN, 0, 0, 0));
        assertThat(keys(xread, "xread", "BLOCK", "0", "STREAMS", "a", "b", "$", "$")).containsExactly("a", "b");
        assertThat(keys(xread, "xread", "STREAMS", "a", "b", "$")).isEmpty();
    }

    @Test
    void hasKeysNeedsARealKeySpecOrAFinder() {
        assertThat(KeyExtractor.hasKeys(command("ping", -1))).isFalse();
        assertThat(KeyExtractor.hasKeys(command("eval", -3))).isTrue();
        Command notKey = command("pubsublike", -2, new KeySpec(CommandFlags.KEY_NOT_KEY, null, 1, null, 0,
                KeySpec.FK_RANGE, 0, 1, 0));
        assertThat(KeyExtractor.hasKeys(notKey)).isFalse();
    }
}
