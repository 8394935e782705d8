package dev.cinnabar.server.command;

import dev.cinnabar.resp.ReplyWriter;
import dev.cinnabar.server.command.CommandSpec.ArgSpec;
import dev.cinnabar.server.command.CommandSpec.KeySpec;
import java.util.List;

/**
 * The COMMAND INFO and COMMAND DOCS descriptions of a command, in the exact shape Redis
 * replies them (which clients such as redis-py and cluster routers parse): element order,
 * RESP3 sets for flag lists, maps whose optional entries appear only when present.
 */
public final class CommandReplies {
    private CommandReplies() {}

    /** One COMMAND INFO entry (Redis addReplyCommandInfo). */
    public static void info(ReplyWriter w, Command cmd) {
        if (cmd == null) {
            w.nullBulk();
            return;
        }
        CommandSpec s = cmd.spec;
        w.arrayLen(10);
        w.bulk(s.fullName());
        w.integer(s.arity());
        flags(w, s.flags(), CommandFlags.FLAG_NAMES, CommandFlags.VISIBLE_FLAGS);
        w.integer(cmd.firstKey);
        w.integer(cmd.lastKey);
        w.integer(cmd.keyStep);
        int n = Long.bitCount(s.acl());
        w.setLen(n);
        for (int i = 0; i < CommandFlags.ACL_CATEGORY_NAMES.length; i++) {
            if ((s.acl() & (1L << i)) != 0) {
                w.simple("@" + CommandFlags.ACL_CATEGORY_NAMES[i]);
            }
        }
        w.setLen(s.tips().size());
        for (String t : s.tips()) {
            w.bulk(t);
        }
        keySpecs(w, s.keySpecs());
        if (cmd.subcommands.isEmpty()) {
            w.setLen(0);
        } else {
            w.arrayLen(cmd.subcommands.size());
            for (Command sub : cmd.subcommands.values()) {
                info(w, sub);
            }
        }
    }

    /** A flag set as a RESP3 set of status strings, in the names' order. */
    static void flags(ReplyWriter w, long bits, String[] names, int visible) {
        int n = 0;
        for (int i = 0; i < visible; i++) {
            if ((bits & (1L << i)) != 0) {
                n++;
            }
        }
        w.setLen(n);
        for (int i = 0; i < visible; i++) {
            if ((bits & (1L << i)) != 0) {
                w.simple(names[i]);
            }
        }
    }

    /** Access flags of a key, as COMMAND INFO and COMMAND GETKEYSANDFLAGS print them. */
    public static void keyFlags(ReplyWriter w, long flags) {
        flags(w, flags, CommandFlags.KEY_FLAG_NAMES, CommandFlags.KEY_FLAG_NAMES.length);
    }

    private static void keySpecs(ReplyWriter w, List<KeySpec> specs) {
        w.setLen(specs.size());
        for (KeySpec k : specs) {
            w.mapLen(k.notes() != null ? 4 : 3);
            if (k.notes() != null) {
                w.bulk("notes");
                w.bulk(k.notes());
            }
            w.bulk("flags");
            keyFlags(w, k.flags());
            w.bulk("begin_search");
            w.mapLen(2);
            w.bulk("type");
            if (k.bsIndex() > 0) {
                w.bulk("index");
                w.bulk("spec");
                w.mapLen(1);
                w.bulk("index");
                w.integer(k.bsIndex());
            } else if (k.bsKeyword() != null) {
                w.bulk("keyword");
                w.bulk("spec");
                w.mapLen(2);
                w.bulk("keyword");
                w.bulk(k.bsKeyword());
                w.bulk("startfrom");
                w.integer(k.bsStartFrom());
            } else {
                w.bulk("unknown");
                w.bulk("spec");
                w.mapLen(0);
            }
            w.bulk("find_keys");
            w.mapLen(2);
            w.bulk("type");
            switch (k.fkType()) {
                case KeySpec.FK_RANGE -> {
                    w.bulk("range");
                    w.bulk("spec");
                    w.mapLen(3);
                    w.bulk("lastkey");
                    w.integer(k.a());
                    w.bulk("keystep");
                    w.integer(k.b());
                    w.bulk("limit");
                    w.integer(k.c());
                }
                case KeySpec.FK_KEYNUM -> {
                    w.bulk("keynum");
                    w.bulk("spec");
                    w.mapLen(3);
                    w.bulk("keynumidx");
                    w.integer(k.a());
                    w.bulk("firstkey");
                    w.integer(k.b());
                    w.bulk("keystep");
                    w.integer(k.c());
                }
                default -> {
                    w.bulk("unknown");
                    w.bulk("spec");
                    w.mapLen(0);
                }
            }
        }
    }

    /** One COMMAND DOCS entry's value (Redis addReplyCommandDocs). */
    public static void docs(ReplyWriter w, Command cmd) {
        CommandSpec s = cmd.spec;
        int n = 1;
        n += s.summary() != null ? 1 : 0;
        n += s.since() != null ? 1 : 0;
        n += s.complexity() != null ? 1 : 0;
        n += s.docFlags() != 0 ? 1 : 0;
        n += s.deprecatedSince() != null ? 1 : 0;
        n += s.replacedBy() != null ? 1 : 0;
        n += s.history().isEmpty() ? 0 : 1;
        n += s.args().isEmpty() ? 0 : 1;
        n += cmd.subcommands.isEmpty() ? 0 : 1;
        w.mapLen(n);
        if (s.summary() != null) {
            w.bulk("summary");
            w.bulk(s.summary());
        }
        if (s.since() != null) {
            w.bulk("since");
            w.bulk(s.since());
        }
        w.bulk("group");
        w.bulk(groupName(s.group()));
        if (s.complexity() != null) {
            w.bulk("complexity");
            w.bulk(s.complexity());
        }
        if (s.docFlags() != 0) {
            w.bulk("doc_flags");
            flags(w, s.docFlags(), CommandFlags.DOC_FLAG_NAMES, CommandFlags.DOC_FLAG_NAMES.length);
        }
        if (s.deprecatedSince() != null) {
            w.bulk("deprecated_since");
            w.bulk(s.deprecatedSince());
        }
        if (s.replacedBy() != null) {
            w.bulk("replaced_by");
            w.bulk(s.replacedBy());
        }
        if (!s.history().isEmpty()) {
            w.bulk("history");
            w.setLen(s.history().size());
            for (String[] h : s.history()) {
                w.arrayLen(2);
                w.bulk(h[0]);
                w.bulk(h[1]);
            }
        }
        if (!s.args().isEmpty()) {
            w.bulk("arguments");
            args(w, s.args());
        }
        if (!cmd.subcommands.isEmpty()) {
            w.bulk("subcommands");
            w.mapLen(cmd.subcommands.size());
            for (Command sub : cmd.subcommands.values()) {
                w.bulk(sub.fullName());
                docs(w, sub);
            }
        }
    }

    /** Redis's group names use dashes ("sorted-set"), its JSON files underscores. */
    static String groupName(String g) {
        return g == null ? "generic" : g.replace('_', '-');
    }

    private static void args(ReplyWriter w, List<ArgSpec> args) {
        w.arrayLen(args.size());
        for (ArgSpec a : args) {
            boolean nested = "oneof".equals(a.type()) || "block".equals(a.type());
            int n = 3;
            n += a.keySpecIndex() != -1 ? 1 : 0;
            n += a.token() != null ? 1 : 0;
            n += a.summary() != null ? 1 : 0;
            n += a.since() != null ? 1 : 0;
            n += a.deprecatedSince() != null ? 1 : 0;
            n += a.flags() != 0 ? 1 : 0;
            w.mapLen(n);
            w.bulk("name");
            w.bulk(a.name());
            w.bulk("type");
            w.bulk(a.type());
            if (!nested) {
                w.bulk("display_text");
                w.bulk(a.displayText() != null ? a.displayText() : a.name());
            }
            if (a.keySpecIndex() != -1) {
                w.bulk("key_spec_index");
                w.integer(a.keySpecIndex());
            }
            if (a.token() != null) {
                w.bulk("token");
                w.bulk(a.token());
            }
            if (a.summary() != null) {
                w.bulk("summary");
                w.bulk(a.summary());
            }
            if (a.since() != null) {
                w.bulk("since");
                w.bulk(a.since());
            }
            if (a.deprecatedSince() != null) {
                w.bulk("deprecated_since");
                w.bulk(a.deprecatedSince());
            }
            if (a.flags() != 0) {
                w.bulk("flags");
                flags(w, a.flags(), CommandFlags.ARG_FLAG_NAMES, CommandFlags.ARG_FLAG_NAMES.length);
            }
            if (nested) {
                w.bulk("arguments");
                args(w, a.args());
            }
        }
    }
}
