import { runCli, type CliResult } from '../../helpers/fixture.js';
import type { ClawHome } from './openclaw.js';

/** Runs our built CLI (dist/) as this home's user, with `--profile` when the home has one. */
export function backupCli(h: ClawHome, args: string[], timeoutMs = 180_000): Promise<CliResult> {
  const profileArgs = h.profile ? ['--profile', h.profile] : [];
  return runCli([...profileArgs, ...args], { env: h.env, timeoutMs });
}

/** Like backupCli(), but throws with the output when the exit code is not 0. */
export async function backupCliOk(h: ClawHome, args: string[], timeoutMs?: number): Promise<CliResult> {
  const result = await backupCli(h, args, timeoutMs);
  if (result.code !== 0)
    throw new Error(
      `openclaw-backup ${args.join(' ')} exited ${result.code}\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`,
    );
  return result;
}
