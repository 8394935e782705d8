package dev.cinnabar.server.type;

/**
 * A value type that can take part in DEBUG DIGEST / DIGEST-VALUE. The implementation feeds its
 * contents to the digest exactly as Redis's xorObjectDigest does for its type, so digests of
 * equal data sets match Redis's:
 * <ul>
 *   <li>list: {@link ValueDigest#mix} of every element, head to tail;</li>
 *   <li>set: {@link ValueDigest#xor} of every member (order does not matter);</li>
 *   <li>sorted set: {@link ValueDigest#xorPair} of member and score (score printed as Redis's
 *       fpconv_dtoa shortest round-trip form);</li>
 *   <li>hash: {@link ValueDigest#xorPair} of field and value;</li>
 *   <li>stream: {@link ValueDigest#mix} of "ms.seq", then of each field and value.</li>
 * </ul>
 */
public interface Digestible {
    void digest(ValueDigest d);
}
