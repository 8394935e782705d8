package dev.cinnabar.ds;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Seeded randomized checks ("properties") in plain JUnit: runs a body once per derived seed and
 * names the failing seed, so a failure is reproducible by setting {@code CINNABAR_TEST_SEED} to
 * the reported base seed (environment variables reach Surefire's forked JVM).
 */
final class Seeds {
    private Seeds() {}

    static void check(int tries, Consumer<SplittableRandom> body) {
        String pinned = System.getenv("CINNABAR_TEST_SEED");
        long base = pinned != null ? Long.parseLong(pinned.trim()) : new SplittableRandom().nextLong();
        SplittableRandom seeds = new SplittableRandom(base);
        for (int t = 0; t < tries; t++) {
            long seed = seeds.nextLong();
            try {
                body.accept(new SplittableRandom(seed));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("failed at try " + t + " (CINNABAR_TEST_SEED=" + base
                        + ", try seed " + seed + "): " + e.getMessage(), e);
            }
        }
    }
}
