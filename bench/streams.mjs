// Stream checks that are measurements, not unit tests (they move hundreds of MiB and watch memory or time), run by
// `npm run bench` (or `node bench/streams.mjs` after a build). Each prints one line and fails the bench when its
// bound is missed.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { generateIdentity, identityToRecipient } from 'age-encryption';

const DIST = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'dist');
const MiB = 1024 * 1024;

/**
 * age: 384 MiB through encrypt and decrypt; the RSS peak after a 128 MiB warm-up may not grow by more than 48 MiB
 * (buffering the stream would grow it by the 256 MiB that pass after the warm-up).
 */
async function ageMemory() {
  const { createEncryptStage } = await import(path.join(DIST, 'core/crypto/encrypt-stream.js'));
  const { decryptStream } = await import(path.join(DIST, 'core/crypto/decrypt-stream.js'));
  const identity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  const total = 384 * MiB;
  const warmUp = 128 * MiB;
  const block = randomBytes(256 * 1024);
  let received = 0;
  let warmPeak = 0;
  let laterPeak = 0;
  const plain = Readable.from(
    (function* () {
      for (let sent = 0; sent < total; sent += block.length) yield block;
    })(),
    { objectMode: false },
  );
  const started = performance.now();
  const stage = await createEncryptStage({ kind: 'recipients', recipients: [recipient] });
  plain.pipe(stage);
  const decrypted = await decryptStream(stage, { kind: 'identities', identities: [identity] }, Buffer.alloc(0), 'mem.age');
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      received += chunk.length;
      const rss = process.memoryUsage().rss;
      if (received <= warmUp) warmPeak = Math.max(warmPeak, rss);
      else laterPeak = Math.max(laterPeak, rss);
      callback();
    },
  });
  await pipeline(decrypted, sink);
  const growth = laterPeak - warmPeak;
  return {
    id: 'age-memory',
    what: `${total / MiB} MiB through age encrypt + decrypt`,
    seconds: (performance.now() - started) / 1000,
    value: `RSS growth after warm-up ${(growth / MiB).toFixed(1)} MiB (bound 48 MiB)`,
    met: received === total && growth < 48 * MiB,
  };
}

export const STREAM_CHECKS = { 'age-memory': ageMemory };

/** Runs the checks (all, or those `only` names) one after another; returns their results. */
export async function runStreamChecks({ only, log = () => {} } = {}) {
  const results = [];
  for (const [id, check] of Object.entries(STREAM_CHECKS)) {
    if (only && !only.includes(id)) continue;
    log(`stream check ${id}`);
    results.push(await check());
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await runStreamChecks({ only: process.argv.slice(2).length ? process.argv.slice(2) : undefined });
  for (const r of results)
    process.stdout.write(`${r.met ? 'met   ' : 'MISSED'} ${r.id}: ${r.what}: ${r.value} (${r.seconds.toFixed(1)} s)\n`);
  if (results.some((r) => !r.met)) process.exitCode = 1;
}
