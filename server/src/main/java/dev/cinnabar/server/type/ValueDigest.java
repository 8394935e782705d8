package dev.cinnabar.server.type;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The 20-byte running digest of DEBUG DIGEST (Redis debug.c): SHA-1 based, with an
 * order-insensitive "xor" step for unordered collections and an order-sensitive "mix" step
 * (SHA-1 of the digest after xoring the data's SHA-1 into it) for sequences.
 */
public final class ValueDigest {
    private final byte[] digest = new byte[20];
    private final MessageDigest sha1;
    private final byte[] element = new byte[20];

    public ValueDigest() {
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every Java platform", e);
        }
    }

    public byte[] bytes() {
        return digest;
    }

    public void clear() {
        java.util.Arrays.fill(digest, (byte) 0);
    }

    /** Order-insensitive: digest ^= SHA1(data). */
    public void xor(byte[] b, int off, int len) {
        xorInto(digest, b, off, len);
    }

    /** Order-sensitive: digest = SHA1(digest ^ SHA1(data)). */
    public void mix(byte[] b, int off, int len) {
        mixInto(digest, b, off, len);
    }

    public void mix(byte[] b) {
        mix(b, 0, b.length);
    }

    /**
     * A two-part element (hash field/value, zset member/score): both parts are mixed into a
     * fresh element digest, whose SHA-1 is then xored in.
     */
    public void xorPair(byte[] a, int aOff, int aLen, byte[] b, int bOff, int bLen) {
        java.util.Arrays.fill(element, (byte) 0);
        mixInto(element, a, aOff, aLen);
        mixInto(element, b, bOff, bLen);
        xorInto(digest, element, 0, 20);
    }

    /** A 4-byte big-endian integer mixed in (db index, value type). */
    public void mixInt(int v) {
        mix(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    private void xorInto(byte[] target, byte[] b, int off, int len) {
        sha1.reset();
        sha1.update(b, off, len);
        byte[] h = sha1.digest();
        for (int i = 0; i < 20; i++) {
            target[i] ^= h[i];
        }
    }

    private void mixInto(byte[] target, byte[] b, int off, int len) {
        xorInto(target, b, off, len);
        sha1.reset();
        sha1.update(target, 0, 20);
        System.arraycopy(sha1.digest(), 0, target, 0, 20);
    }

    /** Lower-case hex, as DEBUG DIGEST prints it. */
    public String hex() {
        return java.util.HexFormat.of().formatHex(digest);
    }
}
