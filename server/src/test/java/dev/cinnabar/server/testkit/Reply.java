package dev.cinnabar.server.testkit;

import java.util.List;

/**
 * A reply as a tree, for differential tests that compare servers reply by reply: its RESP type
 * byte and either its line (simple types, bulk data, null lengths) or its children (maps and
 * attributes flattened to key, value, key, value...). Read with {@link ReplyClient}.
 */
public record Reply(char type, String text, List<Reply> items) {
    /** Everything, type bytes and sizes included, as one comparable string. */
    public String raw() {
        StringBuilder sb = new StringBuilder();
        write(sb);
        return sb.toString();
    }

    private void write(StringBuilder sb) {
        sb.append(type);
        if (items == null) {
            sb.append(text).append('|');
        } else {
            sb.append(items.size()).append('[');
            for (Reply r : items) {
                r.write(sb);
            }
            sb.append(']');
        }
    }

    /** Types and aggregate sizes only. */
    public String shape() {
        if (items == null) {
            return String.valueOf(type);
        }
        StringBuilder sb = new StringBuilder().append(type).append(items.size()).append('(');
        for (Reply r : items) {
            sb.append(r.shape());
        }
        return sb.append(')').toString();
    }
}
