/**
 * Seeded randomness for weights and dropout masks. PyTorch's generator cannot be reproduced outside
 * PyTorch, so we use our own: xoshiro128** seeded through a string hash, so every tensor and every
 * dropout row has its own stream, independent of what ran before (ENVIRONMENT.md: Dropout randomness).
 */

/** FNV-1a over the key's text, then splitmix32 to spread it: a 32-bit seed per stream. */
export function streamSeed(...key: (string | number)[]): number {
  let h = 0x811c9dc5;
  const text = key.join('\u0000');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return splitmix32(h >>> 0);
}

function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = splitmix32(seed);
    this.b = splitmix32(this.a ^ 0x5bd1e995);
    this.c = splitmix32(this.b ^ 0x1b873593);
    this.d = splitmix32(this.c ^ 0xcc9e2d51) | 1;
  }

  /** Uniform on [0, 1) with 32 bits of resolution. */
  next(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result / 4294967296;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Fills `out` with N(0, std²) draws (Marsaglia's polar method: no trigonometry, both outputs used). */
export function fillNormal(out: Float32Array, std: number, rng: Xoshiro128): void {
  for (let i = 0; i < out.length;) {
    let u: number;
    let v: number;
    let q: number;
    do {
      u = 2 * rng.next() - 1;
      v = 2 * rng.next() - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q) * std;
    out[i++] = u * f;
    if (i < out.length) out[i++] = v * f;
  }
}

/**
 * Writes one row of a dropout mask: each element kept with probability 1 − p and then scaled by
 * 1/(1 − p), as torch.nn.Dropout does in training mode; dropped elements are 0.
 * Row streams are keyed by position, so a shorter input sees exactly the prefix of a longer one's mask.
 */
export function fillDropoutRow(out: Float32Array, offset: number, length: number, p: number, seed: number): void {
  if (p <= 0) {
    out.fill(1, offset, offset + length);
    return;
  }
  const rng = new Xoshiro128(seed);
  const scale = 1 / (1 - p);
  for (let j = 0; j < length; j++) out[offset + j] = rng.next() >= p ? scale : 0;
}
