import { ValueError } from './errors.js';

/**
 * A small, fast, seedable generator (sfc32: 128-bit state, passes PractRand to 2^40+).
 * Everything random in nabla draws from one global instance, so `manualSeed` makes
 * initialisation, dropout, shuffling and splits reproducible together.
 */
export class Generator {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Resets the state from an integer seed (any safe integer). */
  seed(seed: number): void {
    if (!Number.isSafeInteger(seed)) throw new ValueError(`manualSeed: seed must be a safe integer, got ${seed}`);
    // splitmix32 spreads the low 32 bits over the four state words; the high bits (sign
    // included) go through the same bijective mixer into c, so distinct seeds never share a state.
    const mix = (z: number): number => {
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      return mix(s);
    };
    this.a = next();
    this.b = next();
    this.c = (next() ^ mix(Math.floor(seed / 2 ** 32) | 0)) >>> 0;
    this.d = next();
    this.spareNormal = null;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal by the Box–Muller transform. */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [low, high), without modulo bias. */
  integer(low: number, high: number): number {
    const range = high - low;
    if (!Number.isInteger(low) || !Number.isInteger(high) || range <= 0 || range > 2 ** 32) {
      throw new ValueError(`randint: need integers low < high with high - low ≤ 2^32, got [${low}, ${high})`);
    }
    const limit = 2 ** 32 - (2 ** 32 % range);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return low + (x % range);
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.integer(0, i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** The state, to save with a checkpoint. */
  getState(): number[] {
    return [this.a, this.b, this.c, this.d, this.spareNormal ?? NaN];
  }

  setState(state: readonly number[]): void {
    if (state.length !== 5) throw new ValueError(`Generator.setState: expected 5 numbers, got ${state.length}`);
    [this.a, this.b, this.c, this.d] = state.map((v) => v | 0);
    this.spareNormal = Number.isNaN(state[4]) ? null : state[4];
  }
}

/** The generator that nabla's random functions use. */
export const globalGenerator = new Generator(0);

/** Seeds every random draw nabla makes (initialisers, dropout, shuffling, splits). */
export function manualSeed(seed: number): void {
  globalGenerator.seed(seed);
}
