import type { ErrorKind } from '../errors.js';

/** The one map from error kind to process exit code. Documented in README and every --help. */
export const EXIT_CODES = {
  ok: 0,
  failure: 1,
  usage: 2,
  config: 2,
  integrity: 3,
  busy: 4,
  'already-running': 78,
  interrupted: 130,
} as const satisfies Record<ErrorKind | 'ok', number>;

export function exitCodeFor(kind: ErrorKind): number {
  return EXIT_CODES[kind];
}

export const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    failure (I/O error, failed hook, doctor found errors)
  2    usage error or invalid configuration
  3    integrity failure (corrupt, truncated, tampered or hostile archive)
  4    refused: busy, locked, or the OpenClaw gateway is running
  78   another daemon already serves this state dir
  130  interrupted (Ctrl-C / SIGTERM)`;
