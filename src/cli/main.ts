#!/usr/bin/env -S node --max-semi-space-size=1
/**
 * The bin: checks the Node version before anything else loads (the CLI imports node:sqlite, whose online backup API
 * and zstd need Node ≥ 22.16; on an older Node the import fails with a raw ERR_UNKNOWN_BUILTIN_MODULE stack), then
 * loads the CLI. Nothing here may use syntax or modules an old Node lacks.
 */
const NEEDED = [22, 16];
const found = process.versions.node.split('.').map(Number);
const tooOld = (found[0] ?? 0) < (NEEDED[0] ?? 0) || ((found[0] ?? 0) === NEEDED[0] && (found[1] ?? 0) < (NEEDED[1] ?? 0));

if (tooOld) {
  process.stderr.write(`openclaw-backup: Node ${process.versions.node} (${process.execPath}) is too old; Node 22.16 or newer is needed\n`);
  // 2: usage or configuration error (EXIT_CODES in src/errors.ts, not imported so that nothing else loads).
  process.exitCode = 2;
} else {
  const { main } = await import('./cli.js');
  process.exitCode = await main();
}
