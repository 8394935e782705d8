package dev.cinnabar.server.family;

import dev.cinnabar.server.command.CommandTable;

/** Binds every command family's handlers to the command table: the list of what we serve. */
public final class Families {
    private Families() {}

    public static void registerAll(CommandTable t) {
        ConnectionFamily.register(t);
        TransactionFamily.register(t);
        StringFamily.register(t);
        BitmapFamily.register(t);
        KeyspaceFamily.register(t);
        ListFamily.register(t);
        HashFamily.register(t);
        ServerFamily.register(t);
        ClientFamily.register(t);
        ConfigFamily.register(t);
        DebugFamily.register(t);
        IntrospectionFamily.register(t);
        FunctionFamily.register(t);
        ScriptingFamily.register(t);
        MemoryFamily.register(t);
        PubSubFamily.register(t);
        SetFamily.register(t);
        ZSetFamily.register(t);
        ZSetBlocking.register(t);
        SortFamily.register(t);
        DumpFamily.register(t);
        HyperLogLogFamily.register(t);
        GeoFamily.register(t);
        SlowlogFamily.register(t);
        LatencyFamily.register(t);
        MonitorFamily.register(t);
        ModuleFamily.register(t);
        StreamFamily.register(t);
        ReplicationFamily.register(t);
        RdbFamily.register(t);
    }
}
