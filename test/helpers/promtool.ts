import { spawnSync } from 'node:child_process';

/**
 * `promtool check metrics` (Debian package prometheus, installed by scripts/setup.sh) on a metrics text: parses
 * the exposition format and lints names, HELP and TYPE. Returns its output; '' when it accepts the text.
 */
export function promtoolCheck(text: string): { code: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (result.error)
    throw new Error(`promtool is not installed (apt-get install prometheus; scripts/setup.sh does it): ${result.error.message}`);
  return { code: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}
