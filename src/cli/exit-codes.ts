// The map lives beside the error kinds (src/errors.ts) so the run report (onFailure's OPENCLAW_BACKUP_EXIT_CODE,
// the metrics file) states the same code the CLI exits with; this module stays the CLI's one entry to it.
export { EXIT_CODES, exitCodeFor } from '../errors.js';

export const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    failure (I/O error, failed hook, doctor found errors)
  2    usage error or invalid configuration
  3    integrity failure (corrupt, truncated, tampered or hostile archive)
  4    refused: busy, locked, or the OpenClaw gateway is running
  78   another daemon already serves this state dir
  130  interrupted (Ctrl-C / SIGTERM)`;
