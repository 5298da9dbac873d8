import { createCipheriv } from 'node:crypto';

/** A small seeded PRNG (mulberry32): every random choice in the suite replays from the printed seed. */
export interface Rng {
  seed: number;
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Buffer;
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)] as never,
    bytes: (n) => {
      // AES-CTR over zeros, keyed from the stream: fast enough for hundreds of MB, and deterministic.
      const key = Buffer.alloc(32);
      for (let i = 0; i < 32; i += 4) key.writeUInt32LE((next() * 4294967296) >>> 0, i);
      const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
      return Buffer.concat([cipher.update(Buffer.alloc(n)), cipher.final()]);
    },
  };
}

let fallbackSeed: number | undefined;

/**
 * The suite seed: RELIABILITY_SEED (the reliability config sets a fresh one per run and every scenario prints it),
 * so `RELIABILITY_SEED=<seed> npm run test:reliability` replays every random choice.
 */
export function suiteSeed(): number {
  const fromEnv = process.env.RELIABILITY_SEED;
  if (fromEnv && /^\d+$/.test(fromEnv)) return Number(fromEnv) >>> 0;
  fallbackSeed ??= (Date.now() ^ (process.pid << 8)) >>> 0;
  return fallbackSeed;
}

/** A per-scenario seed derived from the suite seed, so one scenario's choices don't shift another's. */
export function scenarioSeed(name: string): number {
  let h = suiteSeed();
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 2654435761) >>> 0;
  return h;
}
