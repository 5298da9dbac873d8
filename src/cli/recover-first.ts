import type { Command } from 'commander';
import { recoverInterruptedRestores } from '../core/restore/recover.js';
import { resolvePaths, type CommandIO, type GlobalOptions } from './context.js';

/** Commands that read the state or the backups dir: each first undoes a restore that was killed mid-swap. */
const READERS = new Set(['verify', 'list', 'prune', 'status', 'doctor', 'daemon', 'create', 'run']);

export function recoverBeforeReading(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  program.hook('preAction', async (_program, action) => {
    if (!READERS.has(action.name()) || action.parent !== program) return;
    const stateDir = resolvePaths(globals(), io).stateDir;
    try {
      const report = await recoverInterruptedRestores(stateDir, { signal: io.signal });
      for (const warning of report.warnings) io.stderr.write(`warning: ${warning}\n`);
    } catch (error) {
      io.stderr.write(`warning: could not check ${stateDir} for an interrupted restore: ${(error as Error).message}\n`);
    }
  });
}
