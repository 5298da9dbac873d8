import { createRequire } from 'node:module';

type Age = typeof import('age-encryption');
let loaded: Age | undefined;

/**
 * age-encryption, loaded on first use: it brings its curves and post-quantum code (about 0.1 s of CPU and a few MB of
 * memory at startup), which a run that neither encrypts, decrypts nor checks a key never needs. Synchronous
 * (require of an ES module, Node ≥ 22.12) because the config schema checks recipients synchronously.
 */
export function ageModule(): Age {
  return (loaded ??= createRequire(import.meta.url)('age-encryption') as Age);
}
