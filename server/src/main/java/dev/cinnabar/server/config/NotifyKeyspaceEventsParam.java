package dev.cinnabar.server.config;

/**
 * {@code notify-keyspace-events}: which keyspace notifications are published, as class characters
 * ({@code K E g $ l s h z x e t m d n}, {@code A} = all data classes {@code g$lshzxetd}). Stored
 * as a bit mask; printed in Redis's canonical order, e.g. {@code KEA} is printed {@code AKE}.
 */
public final class NotifyKeyspaceEventsParam extends ConfigParam {

    public static final int KEYSPACE = 1;
    public static final int KEYEVENT = 1 << 1;
    public static final int GENERIC = 1 << 2;
    public static final int STRING = 1 << 3;
    public static final int LIST = 1 << 4;
    public static final int SET = 1 << 5;
    public static final int HASH = 1 << 6;
    public static final int ZSET = 1 << 7;
    public static final int EXPIRED = 1 << 8;
    public static final int EVICTED = 1 << 9;
    public static final int STREAM = 1 << 10;
    /** Key misses; deliberately not part of {@link #ALL}. */
    public static final int KEY_MISS = 1 << 11;
    /** Module-only notification (key loaded from RDB); no config character. */
    public static final int LOADED = 1 << 12;
    public static final int MODULE = 1 << 13;
    public static final int NEW = 1 << 14;
    public static final int ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

    private volatile int value;

    NotifyKeyspaceEventsParam() {
        super("notify-keyspace-events", null);
    }

    /** The enabled classes as a bit mask of the constants above. */
    public int get() {
        return value;
    }

    /** Parses class characters; -1 on an unknown character. */
    static int parseFlags(String classes) {
        int flags = 0;
        for (int i = 0; i < classes.length(); i++) {
            switch (classes.charAt(i)) {
                case 'A' -> flags |= ALL;
                case 'g' -> flags |= GENERIC;
                case '$' -> flags |= STRING;
                case 'l' -> flags |= LIST;
                case 's' -> flags |= SET;
                case 'h' -> flags |= HASH;
                case 'z' -> flags |= ZSET;
                case 'x' -> flags |= EXPIRED;
                case 'e' -> flags |= EVICTED;
                case 'K' -> flags |= KEYSPACE;
                case 'E' -> flags |= KEYEVENT;
                case 't' -> flags |= STREAM;
                case 'm' -> flags |= KEY_MISS;
                case 'd' -> flags |= MODULE;
                case 'n' -> flags |= NEW;
                default -> {
                    return -1;
                }
            }
        }
        return flags;
    }

    /** The canonical text of a mask: A (or the data classes), then K, E, m. */
    static String formatFlags(int flags) {
        StringBuilder b = new StringBuilder();
        if ((flags & ALL) == ALL) {
            b.append('A');
        } else {
            if ((flags & GENERIC) != 0) b.append('g');
            if ((flags & STRING) != 0) b.append('$');
            if ((flags & LIST) != 0) b.append('l');
            if ((flags & SET) != 0) b.append('s');
            if ((flags & HASH) != 0) b.append('h');
            if ((flags & ZSET) != 0) b.append('z');
            if ((flags & EXPIRED) != 0) b.append('x');
            if ((flags & EVICTED) != 0) b.append('e');
            if ((flags & STREAM) != 0) b.append('t');
            if ((flags & MODULE) != 0) b.append('d');
            if ((flags & NEW) != 0) b.append('n');
        }
        if ((flags & KEYSPACE) != 0) b.append('K');
        if ((flags & KEYEVENT) != 0) b.append('E');
        if ((flags & KEY_MISS) != 0) b.append('m');
        return b.toString();
    }

    @Override
    public String value() {
        return formatFlags(value);
    }

    @Override
    int set(String[] args, boolean readingConfigFile) throws ConfigValueException {
        if (args.length != 1) throw new ConfigValueException("wrong number of arguments");
        int flags = parseFlags(args[0]);
        if (flags == -1) throw new ConfigValueException("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
        value = flags;
        return CHANGED;
    }

    @Override
    Object snapshot() {
        return value;
    }

    @Override
    void restore(Object snapshot) {
        value = (Integer) snapshot;
    }

    @Override
    void rewrite(ConfigRewriter.State state) {
        int v = value;
        state.rewriteLine(name(), name() + " " + ConfigText.repr(formatFlags(v)), v != 0);
    }
}
