/**
 * A small seedable random generator (sfc32) whose whole state is four uint32
 * words, so a checkpoint can save it and a resumed run continues the same
 * stream: shuffles, crops, flips, caption picks, noise and timesteps.
 */
export type RngState = [number, number, number, number];

export class Rng {
  private s: Uint32Array;

  constructor(seed: number) {
    // splitmix32 spreads any seed (including 0 and small integers) over the 128-bit state.
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s = new Uint32Array([next(), next(), next(), next()]);
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A generator seeded from the clock and process entropy, for runs without --seed. */
  static unseeded(): Rng {
    return new Rng((Date.now() ^ (process.pid << 16) ^ Math.floor(Math.random() * 2 ** 32)) >>> 0);
  }

  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.s.set(state);
    return r;
  }

  getState(): RngState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  nextUint32(): number {
    const s = this.s;
    const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
    s[3] = (s[3] + 1) >>> 0;
    s[0] = s[1] ^ (s[1] >>> 9);
    s[1] = (s[2] + (s[2] << 3)) >>> 0;
    s[2] = ((s[2] << 21) | (s[2] >>> 11)) >>> 0;
    s[2] = (s[2] + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  random(): number {
    return this.nextUint32() / 2 ** 32;
  }

  /** Uniform integer in [low, high), like torch.randint(low, high). */
  int(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low));
  }

  /** Standard normal samples (Box-Muller), like torch.randn. */
  normal(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      const u1 = 1 - this.random(); // (0, 1]: log stays finite
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = 2 * Math.PI * this.random();
      out[i] = r * Math.cos(theta);
      if (i + 1 < n) out[i + 1] = r * Math.sin(theta);
    }
    return out;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates), like torch.randperm. */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }
}
