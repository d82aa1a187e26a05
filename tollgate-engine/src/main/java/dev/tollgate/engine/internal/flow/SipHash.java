package dev.tollgate.engine.internal.flow;

/**
 * SipHash-2-4 over the UTF-16 units of a string, keyed: a fingerprint in a store reveals nothing
 * about the value without the key, even for values with little entropy (a 4-digit invoice number
 * cannot be found by hashing every candidate). Hashes chars directly, without encoding to bytes,
 * because fingerprinting hashes every token of every observed result.
 */
final class SipHash {
  private final long k0;
  private final long k1;

  SipHash(long k0, long k1) {
    this.k0 = k0;
    this.k1 = k1;
  }

  /** The hash of {@code kind} followed by {@code s[from, to)}. */
  long hash(char kind, CharSequence s, int from, int to) {
    // Does not escape: the JIT keeps its fields in registers.
    State st = new State(k0, k1);
    long word = kind;
    int inWord = 1;
    for (int i = from; i < to; i++) {
      word |= ((long) s.charAt(i)) << (16 * inWord);
      if (++inWord == 4) {
        st.absorb(word);
        word = 0;
        inWord = 0;
      }
    }
    long units = to - from + 1L;
    st.absorb((units * 2) << 56 | word);
    return st.finish();
  }

  /** The hash of {@code kind} and the 64-bit {@code value}: a key for a value already hashed. */
  long hash(char kind, long value) {
    State st = new State(k0, k1);
    st.absorb(value);
    st.absorb((10L << 56) | kind);
    return st.finish();
  }

  private static final class State {
    long v0;
    long v1;
    long v2;
    long v3;

    State(long k0, long k1) {
      v0 = k0 ^ 0x736f6d6570736575L;
      v1 = k1 ^ 0x646f72616e646f6dL;
      v2 = k0 ^ 0x6c7967656e657261L;
      v3 = k1 ^ 0x7465646279746573L;
    }

    /** SipHash's four finalisation rounds and the 64-bit result. */
    long finish() {
      v2 ^= 0xff;
      for (int r = 0; r < 4; r++) {
        round();
      }
      return v0 ^ v1 ^ v2 ^ v3;
    }

    void absorb(long m) {
      v3 ^= m;
      round();
      round();
      v0 ^= m;
    }

    void round() {
      v0 += v1;
      v1 = Long.rotateLeft(v1, 13);
      v1 ^= v0;
      v0 = Long.rotateLeft(v0, 32);
      v2 += v3;
      v3 = Long.rotateLeft(v3, 16);
      v3 ^= v2;
      v0 += v3;
      v3 = Long.rotateLeft(v3, 21);
      v3 ^= v0;
      v2 += v1;
      v1 = Long.rotateLeft(v1, 17);
      v1 ^= v2;
      v2 = Long.rotateLeft(v2, 32);
    }
  }
}
