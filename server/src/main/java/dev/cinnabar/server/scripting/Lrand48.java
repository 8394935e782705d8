package dev.cinnabar.server.scripting;

/**
 * The generator behind math.random in scripts: Redis replaces Lua's (libc rand) with its own
 * 48-bit linear congruential generator, identical to POSIX lrand48, so a seeded script draws
 * the same numbers on every platform. One per server; the sequence continues across scripts.
 */
final class Lrand48 {
    private static final long A = 0x5DEECE66DL;
    private static final long C = 0xB;
    private static final long MASK = (1L << 48) - 1;
    private long x = 0x1234ABCD330EL;

    /** POSIX lrand48: the next 31-bit value. */
    int next() {
        x = (A * x + C) & MASK;
        return (int) (x >>> 17);
    }

    /** POSIX srand48 with a 32-bit seed. */
    void seed(int seed) {
        x = ((seed & 0xFFFFFFFFL) << 16) | 0x330E;
    }

    /** Redis's math.random base value: lrand48() % INT32_MAX / INT32_MAX, in [0, 1). */
    double nextDouble() {
        return (next() % 2147483647) / 2147483647.0;
    }
}
