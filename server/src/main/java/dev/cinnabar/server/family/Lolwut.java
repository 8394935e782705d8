package dev.cinnabar.server.family;

import dev.cinnabar.server.Client;
import java.util.concurrent.ThreadLocalRandom;

/**
 * LOLWUT VERSION 5 and 6 art, Cinnabar's own: version 5 is a maze of diagonal strokes that
 * changes on every call, version 6 a field of ripples around a random centre. Optional
 * arguments after the version give the width and height in characters.
 */
final class Lolwut {
    private Lolwut() {}

    /** Appends the art; false after replying an error for a bad size argument. */
    static boolean draw(StringBuilder sb, long version, Client c, int firstArg) {
        int width = 66;
        int height = 20;
        if (c.argc() > firstArg) {
            if (!c.parseLong(firstArg)) {
                return false;
            }
            width = (int) Math.max(1, Math.min(1000, c.parsed()));
        }
        if (c.argc() > firstArg + 1) {
            if (!c.parseLong(firstArg + 1)) {
                return false;
            }
            height = (int) Math.max(1, Math.min(200, c.parsed()));
        }
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        if (version == 5) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    sb.append(rnd.nextBoolean() ? '/' : '\\');
                }
                sb.append('\n');
            }
        } else {
            String shades = " .:-=+*#%@";
            double cx = rnd.nextDouble() * width;
            double cy = rnd.nextDouble() * height;
            double phase = rnd.nextDouble() * Math.PI * 2;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    // Characters are about twice as tall as wide: scale x to keep rings round.
                    double d = Math.hypot((x - cx) / 2, y - cy);
                    double v = (Math.sin(d * 0.9 + phase) + 1) / 2 / (1 + d * 0.05);
                    sb.append(shades.charAt((int) Math.min(shades.length() - 1, v * shades.length())));
                }
                sb.append('\n');
            }
        }
        sb.append('\n');
        return true;
    }
}
