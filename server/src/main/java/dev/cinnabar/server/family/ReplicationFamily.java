package dev.cinnabar.server.family;

import dev.cinnabar.resp.Ascii;
import dev.cinnabar.server.Client;
import dev.cinnabar.server.blocking.Blocking;
import dev.cinnabar.server.command.CommandTable;
import dev.cinnabar.server.config.ReplicaOfParam;
import dev.cinnabar.server.config.ConfigText;
import dev.cinnabar.server.replication.ReplicaLink;
import dev.cinnabar.server.replication.Replication;
import java.util.List;

/**
 * SYNC, PSYNC and REPLCONF (Redis replication.c syncCommand / replconfCommand): the master side
 * of the replication handshake; WAIT and ROLE. The stream itself is
 * {@code replication.Replication}'s.
 */
public final class ReplicationFamily {
    private ReplicationFamily() {}

    public static void register(CommandTable t) {
        t.bind("sync", c -> sync(c, false))
                .bind("psync", c -> sync(c, true))
                .bind("replconf", ReplicationFamily::replconf)
                .bind("wait", ReplicationFamily::waitCmd)
                .bind("waitaof", ReplicationFamily::waitaof)
                .bind("role", ReplicationFamily::role)
                .bind("replicaof", ReplicationFamily::replicaof)
                .bind("slaveof", ReplicationFamily::replicaof);
    }

    private static final byte[] W_PSYNC = Ascii.bytes("psync");
    private static final byte[] W_FAILOVER = Ascii.bytes("failover");

    /** SYNC, and PSYNC replid offset. */
    static void sync(Client c, boolean psync) {
        Replication r = c.server.replication;
        if (r.isReplica(c)) {
            return; // already a replica: ignored, as Redis does
        }
        if (psync && c.argc() > 3 && c.argIs(0, W_PSYNC) && c.argIs(3, W_FAILOVER)) {
            c.server.log.notice("Failover request received for replid " + c.argForMessage(1) + ".");
            c.error("ERR PSYNC FAILOVER can't be sent to a master.");
            return;
        }
        if (r.replicaOf.isReplica() && !r.replicaOf.linkUp()) {
            c.error("NOMASTERLINK Can't SYNC while not connected with my master");
            return;
        }
        if (c.reply.pending() > 0) {
            c.error("ERR SYNC and PSYNC are invalid with pending output");
            return;
        }
        ReplicaLink link = r.link(c);
        if (link.excludeData() && !link.capaEof()) {
            c.error("ERR Filtered replica requires EOF capability");
            return;
        }
        c.server.log.notice("Replica " + link.name() + " asks for synchronization");
        if (psync) {
            if (!c.parseLong(2)) {
                c.server.log.warning("Replica " + link.name() + " asks for synchronization but with a wrong offset");
                return;
            }
            String replid = c.argForMessage(1);
            if (r.tryContinue(c, replid, c.parsed())) {
                c.server.stats.syncPartialOk++;
                return;
            }
            if (!replid.startsWith("?")) {
                c.server.stats.syncPartialErr++;
            }
        }
        r.fullResync(c, psync);
    }

    private static final byte[] W_LISTENING_PORT = Ascii.bytes("listening-port");
    private static final byte[] W_IP_ADDRESS = Ascii.bytes("ip-address");
    private static final byte[] W_CAPA = Ascii.bytes("capa");
    private static final byte[] W_EOF = Ascii.bytes("eof");
    private static final byte[] W_PSYNC2 = Ascii.bytes("psync2");
    private static final byte[] W_ACK = Ascii.bytes("ack");
    private static final byte[] W_FACK = Ascii.bytes("fack");
    private static final byte[] W_GETACK = Ascii.bytes("getack");
    private static final byte[] W_RDB_ONLY = Ascii.bytes("rdb-only");
    private static final byte[] W_RDB_FILTER_ONLY = Ascii.bytes("rdb-filter-only");
    /** Redis NET_HOST_STR_LEN: the longest announced address accepted. */
    private static final int NET_HOST_STR_LEN = 256;

    /** REPLCONF option value [option value ...]. */
    static void replconf(Client c) {
        int argc = c.argc();
        if ((argc & 1) == 0) {
            c.syntaxError();
            return;
        }
        Replication r = c.server.replication;
        if (c.has(Client.MASTER)) {
            // From our master only GETACK matters; it answers nothing (the link sends the ACK).
            if (c.argIs(1, W_GETACK)) {
                r.replicaOf.ackRequested(c);
            }
            return;
        }
        ReplicaLink link = r.link(c);
        for (int j = 1; j < argc; j += 2) {
            if (c.argIs(j, W_LISTENING_PORT)) {
                if (!c.parseLong(j + 1)) {
                    return;
                }
                link.listeningPort((int) c.parsed());
            } else if (c.argIs(j, W_IP_ADDRESS)) {
                if (c.argLen(j + 1) >= NET_HOST_STR_LEN) {
                    c.error("ERR REPLCONF ip-address provided by replica instance is too long: " + c.argLen(j + 1)
                            + " bytes");
                    return;
                }
                link.announcedIp(c.argForMessage(j + 1));
            } else if (c.argIs(j, W_CAPA)) {
                // Capabilities this master does not know are ignored.
                if (c.argIs(j + 1, W_EOF)) {
                    link.capaEof(true);
                } else if (c.argIs(j + 1, W_PSYNC2)) {
                    link.capaPsync2(true);
                }
            } else if (c.argIs(j, W_ACK)) {
                // Only from attached replicas, and never answered.
                if (!r.isReplica(c) || !isLong(c, j + 1)) {
                    return;
                }
                long off = Ascii.parseLongOr(c.argData(), c.argOff(j + 1), c.argLen(j + 1), 0);
                long fack = -1;
                if (argc > j + 3 && c.argIs(j + 2, W_FACK)) {
                    if (!isLong(c, j + 3)) {
                        r.ack(c, off, -1, false); // Redis took the offset before failing here
                        return;
                    }
                    fack = Ascii.parseLongOr(c.argData(), c.argOff(j + 3), c.argLen(j + 3), 0);
                }
                r.ack(c, off, fack, true);
                return;
            } else if (c.argIs(j, W_GETACK)) {
                // Our master asks for an ACK (sent by the link); from anyone else: nothing.
                r.replicaOf.ackRequested(c);
                return;
            } else if (c.argIs(j, W_RDB_ONLY)) {
                if (!c.parseLong(j + 1)) {
                    return;
                }
                long v = c.parsed();
                if (v < 0 || v > 1) {
                    c.error("ERR value is out of range, value must between 0 and 1");
                    return;
                }
                link.rdbOnly(v == 1);
            } else if (c.argIs(j, W_RDB_FILTER_ONLY)) {
                if (!rdbFilterOnly(c, link, j + 1)) {
                    return;
                }
            } else {
                c.error("ERR Unrecognized REPLCONF option: " + c.argForMessage(j));
                return;
            }
        }
        c.reply.ok();
    }

    /**
     * REPLCONF rdb-filter-only "f1 f2 ...": the snapshot keeps only the listed parts; the only
     * part Redis knows is "functions" (the data is always filtered out).
     */
    private static boolean rdbFilterOnly(Client c, ReplicaLink link, int arg) {
        String[] filters = ConfigText.splitArgs(c.argForMessage(arg));
        if (filters == null) {
            c.error("ERR Missing rdb-filter-only values");
            return false;
        }
        for (String f : filters) {
            if (!f.equalsIgnoreCase("functions")) {
                c.error("ERR Unsupported rdb-filter-only option: " + f);
                return false;
            }
        }
        link.excludeData(true);
        return true;
    }

    /** Redis getLongLongFromObject without a reply: whether argument {@code i} is an integer. */
    private static boolean isLong(Client c, int i) {
        return Ascii.isLong(c.argData(), c.argOff(i), c.argLen(i));
    }

    /**
     * WAIT numreplicas timeout: blocks until that many replicas acknowledged everything this
     * connection wrote, or the timeout (ms, 0 = forever) passes; replies how many did.
     */
    static void waitCmd(Client c) {
        if (c.server.replication.replicaOf.isReplica()) {
            c.error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is "
                    + "configured to be writable (which is not the default) writes to replicas are just local and are not "
                    + "propagated.");
            return;
        }
        if (!c.parseLong(1)) {
            return;
        }
        long numReplicas = c.parsed();
        long deadline = Blocking.parseTimeoutMillis(c, 2);
        if (deadline < 0) {
            return;
        }
        Replication r = c.server.replication;
        long offset = c.replOffset;
        int acked = r.acknowledged(offset);
        if (acked >= numReplicas || !Blocking.mayBlock(c)) {
            c.reply.integer(acked);
            return;
        }
        c.server.blocking.blockForReplicas(c, deadline, offset, numReplicas, -1);
        r.requestAcks();
    }

    /**
     * WAITAOF numlocal numreplicas timeout: as WAIT, for writes fsynced to the append-only file
     * here ({@code numlocal}, 0 or 1: Redis fsynced_reploff) and on replicas (their REPLCONF
     * ACK ... FACK offsets).
     */
    static void waitaof(Client c) {
        if (!c.parseLong(1)) {
            return;
        }
        long numLocal = c.parsed();
        if (numLocal < 0 || numLocal > 1) {
            c.error("ERR value is out of range, value must between 0 and 1");
            return;
        }
        if (!c.parseLong(2)) {
            return;
        }
        long numReplicas = c.parsed();
        if (numReplicas < 0) {
            c.error("ERR value is out of range, must be positive");
            return;
        }
        long deadline = Blocking.parseTimeoutMillis(c, 3);
        if (deadline < 0) {
            return;
        }
        if (c.server.replication.replicaOf.isReplica()) {
            c.error("ERR WAITAOF cannot be used with replica instances. Please also note that writes to replicas are just "
                    + "local and are not propagated.");
            return;
        }
        if (numLocal != 0 && !c.server.config.persistence.appendonly.get()) {
            c.error("ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.");
            return;
        }
        Replication r = c.server.replication;
        long offset = c.replOffset;
        int acked = r.acknowledgedAof(offset);
        int local = c.server.aof.fsyncedLocally(offset);
        if ((acked >= numReplicas && local >= numLocal) || !Blocking.mayBlock(c)) {
            c.reply.arrayLen(2);
            c.reply.integer(local);
            c.reply.integer(acked);
            return;
        }
        c.server.blocking.blockForReplicas(c, deadline, offset, numReplicas, numLocal);
        r.requestAcks();
    }

    /**
     * ROLE: as a master, "master", the replication offset and the online replicas; as a
     * replica, "slave", the master's address, the link state and the applied offset.
     */
    static void role(Client c) {
        Replication r = c.server.replication;
        ReplicaOfParam.Master m = c.server.config.replication.replicaof.get();
        if (m != null) {
            c.reply.arrayLen(5);
            c.reply.bulk(SLAVE);
            c.reply.bulk(Ascii.bytes(m.host()));
            c.reply.integer(m.port());
            c.reply.bulk(Ascii.bytes(r.replicaOf.roleState()));
            c.reply.integer(r.replicaOf.roleOffset());
            return;
        }
        List<String[]> online = r.onlineReplicas();
        c.reply.arrayLen(3);
        c.reply.bulk(MASTER);
        c.reply.integer(r.offset());
        c.reply.arrayLen(online.size());
        for (String[] replica : online) {
            c.reply.arrayLen(3);
            for (String part : replica) {
                c.reply.bulk(Ascii.bytes(part));
            }
        }
    }

    private static final byte[] MASTER = Ascii.bytes("master");
    private static final byte[] SLAVE = Ascii.bytes("slave");
    private static final byte[] W_NO = Ascii.bytes("no");
    private static final byte[] W_ONE = Ascii.bytes("one");

    /** REPLICAOF / SLAVEOF host port | NO ONE (Redis replicaofCommand). */
    static void replicaof(Client c) {
        if (c.server.clusterEnabled()) {
            c.error("ERR REPLICAOF not allowed in cluster mode.");
            return;
        }
        Replication r = c.server.replication;
        if (c.argIs(1, W_NO) && c.argIs(2, W_ONE)) {
            r.replicaOf.unsetMaster(c);
            c.server.oomScore.update(); // the master's oom-score-adj class again
            c.reply.ok();
            return;
        }
        if (r.isReplica(c)) {
            // It would have to drop every replica, itself included.
            c.error("ERR Command is not valid when client is a replica.");
            return;
        }
        if (!c.parseLong(2, "ERR Invalid master port")) {
            return;
        }
        long port = c.parsed();
        if (port < 0 || port > 65535) {
            c.error("ERR Invalid master port");
            return;
        }
        if (!r.replicaOf.setMaster(c.argForMessage(1), (int) port, c)) {
            c.reply.simple("OK Already connected to specified master");
            return;
        }
        c.server.oomScore.update(); // the replica's oom-score-adj class
        c.reply.ok();
    }
}
