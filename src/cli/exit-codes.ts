import { EXIT_CODES } from '../errors.js';

/**
 * What every --help ends with. The codes come from the one map beside the error kinds (src/errors.ts), which the CLI
 * exits with and the run report states (onFailure's OPENCLAW_BACKUP_EXIT_CODE, the metrics file); only the words
 * live here.
 */
const MEANINGS: Array<[keyof typeof EXIT_CODES, string]> = [
  ['ok', 'success'],
  ['failure', 'failure (I/O error, failed hook, doctor found errors)'],
  ['usage', 'usage error or invalid configuration'],
  ['integrity', 'integrity failure (corrupt, truncated, tampered or hostile archive)'],
  ['busy', 'refused: busy, locked, or the OpenClaw gateway is running'],
  ['already-running', 'another daemon already serves this state dir'],
  ['interrupted', 'interrupted (Ctrl-C / SIGTERM)'],
];

export const EXIT_CODES_HELP = `
Exit codes:
${MEANINGS.map(([kind, meaning]) => `  ${String(EXIT_CODES[kind]).padEnd(5)}${meaning}`).join('\n')}`;
