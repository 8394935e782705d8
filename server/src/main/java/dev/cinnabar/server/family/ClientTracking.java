package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;
import dev.cinnabar.server.tracking.Tracking;
import dev.cinnabar.server.util.ByteKey;
import java.util.ArrayList;

/**
 * CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO (Redis networking.c clientCommand):
 * option parsing and validation with Redis's messages, in Redis's order of checks. The
 * tracking itself lives in {@link Tracking}.
 */
final class ClientTracking {
    private ClientTracking() {}

    /** CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p]... [BCAST] [OPTIN] [OPTOUT] [NOLOOP] */
    static void tracking(Client c) {
        long redirect = 0;
        int options = 0;
        ArrayList<ByteKey> prefixes = new ArrayList<>();
        int argc = c.argc();
        for (int j = 3; j < argc; j++) {
            boolean more = j < argc - 1;
            if (more && c.argIs(j, "redirect")) {
                j++;
                if (redirect != 0) {
                    c.error("ERR A client can only redirect to a single other client");
                    return;
                }
                if (!c.parseLong(j)) {
                    return;
                }
                redirect = c.parsed();
                // The client must exist now, though it may go away later (then the
                // redirection is reported broken).
                if (c.server.clients.byId(redirect) == null) {
                    c.error("ERR The client ID you want redirect to does not exist");
                    return;
                }
            } else if (c.argIs(j, "bcast")) {
                options |= Client.TRACKING_BCAST;
            } else if (c.argIs(j, "optin")) {
                options |= Client.TRACKING_OPTIN;
            } else if (c.argIs(j, "optout")) {
                options |= Client.TRACKING_OPTOUT;
            } else if (c.argIs(j, "noloop")) {
                options |= Client.TRACKING_NOLOOP;
            } else if (more && c.argIs(j, "prefix")) {
                j++;
                prefixes.add(ByteKey.of(c.argData(), c.argOff(j), c.argLen(j)));
            } else {
                c.syntaxError();
                return;
            }
        }
        if (c.argIs(2, "on")) {
            if ((options & Client.TRACKING_BCAST) == 0 && !prefixes.isEmpty()) {
                c.error("ERR PREFIX option requires BCAST mode to be enabled");
                return;
            }
            if (c.has(Client.TRACKING)
                    && c.has(Client.TRACKING_BCAST) != ((options & Client.TRACKING_BCAST) != 0)) {
                c.error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
                        + "and then re-enabling it with a different mode.");
                return;
            }
            if ((options & Client.TRACKING_BCAST) != 0
                    && (options & (Client.TRACKING_OPTIN | Client.TRACKING_OPTOUT)) != 0) {
                c.error("ERR OPTIN and OPTOUT are not compatible with BCAST");
                return;
            }
            if ((options & Client.TRACKING_OPTIN) != 0 && (options & Client.TRACKING_OPTOUT) != 0) {
                c.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
                return;
            }
            if (((options & Client.TRACKING_OPTIN) != 0 && c.has(Client.TRACKING_OPTOUT))
                    || ((options & Client.TRACKING_OPTOUT) != 0 && c.has(Client.TRACKING_OPTIN))) {
                c.error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
                        + "and then re-enabling it with a different mode.");
                return;
            }
            if ((options & Client.TRACKING_BCAST) != 0) {
                String err = Tracking.prefixCollision(c, prefixes);
                if (err != null) {
                    c.error(err);
                    return;
                }
            }
            c.server.tracking.enable(c, redirect, options, prefixes);
        } else if (c.argIs(2, "off")) {
            c.server.tracking.disable(c);
        } else {
            c.syntaxError();
            return;
        }
        c.reply.ok();
    }

    /** CLIENT CACHING YES|NO: whether the next command's keys are tracked in OPTIN / OPTOUT mode. */
    static void caching(Client c) {
        if (!c.has(Client.TRACKING)) {
            c.error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
                    + "OPTOUT mode enabled");
            return;
        }
        if (c.argIs(2, "yes")) {
            if (!c.has(Client.TRACKING_OPTIN)) {
                c.error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
                return;
            }
        } else if (c.argIs(2, "no")) {
            if (!c.has(Client.TRACKING_OPTOUT)) {
                c.error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
                return;
            }
        } else {
            c.syntaxError();
            return;
        }
        c.flags |= Client.TRACKING_CACHING;
        c.reply.ok();
    }

    /** CLIENT GETREDIR: the redirection id, 0 without redirection, -1 when not tracking. */
    static void getredir(Client c) {
        c.reply.integer(c.has(Client.TRACKING) ? c.trackingRedirect : -1);
    }

    private static final byte[] FLAGS = bytes("flags");
    private static final byte[] REDIRECT = bytes("redirect");
    private static final byte[] PREFIXES = bytes("prefixes");

    /** CLIENT TRACKINGINFO: flags (a set in RESP3), redirect and prefixes. */
    static void trackinginfo(Client c) {
        ArrayList<String> flags = new ArrayList<>(4);
        flags.add(c.has(Client.TRACKING) ? "on" : "off");
        if (c.has(Client.TRACKING_BCAST)) {
            flags.add("bcast");
        }
        if (c.has(Client.TRACKING_OPTIN)) {
            flags.add("optin");
            if (c.has(Client.TRACKING_CACHING)) {
                flags.add("caching-yes");
            }
        }
        if (c.has(Client.TRACKING_OPTOUT)) {
            flags.add("optout");
            if (c.has(Client.TRACKING_CACHING)) {
                flags.add("caching-no");
            }
        }
        if (c.has(Client.TRACKING_NOLOOP)) {
            flags.add("noloop");
        }
        if (c.has(Client.TRACKING_BROKEN_REDIR)) {
            flags.add("broken_redirect");
        }
        c.reply.mapLen(3);
        c.reply.bulk(FLAGS);
        c.reply.setLen(flags.size());
        for (String f : flags) {
            c.reply.bulk(bytes(f));
        }
        c.reply.bulk(REDIRECT);
        c.reply.integer(c.has(Client.TRACKING) ? c.trackingRedirect : -1);
        c.reply.bulk(PREFIXES);
        if (c.trackingPrefixes == null) {
            c.reply.arrayLen(0);
        } else {
            c.reply.arrayLen(c.trackingPrefixes.size());
            for (ByteKey p : c.trackingPrefixes) {
                c.reply.bulk(p.bytes());
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
