/** A small seeded PRNG (xoshiro128**), so `random*()` formulas are reproducible under a seed. */

function splitmix32(a: number): () => number {
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Returns a function giving uniform doubles in [0, 1). */
export function seededRandom(seed: number): () => number {
  const sm = splitmix32(seed | 0);
  let a = sm();
  let b = sm();
  let c = sm();
  let d = sm();
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    // 53 bits would need two draws; 32 bits of resolution is plenty for test data.
    return result / 4294967296;
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
