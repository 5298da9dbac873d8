import fs from 'node:fs';

export interface ResticProcess {
  pid: number;
  /** The restic subcommand (backup, dump, restore, …). */
  command: string;
  /** Bytes it has read and written so far (/proc/<pid>/io rchar + wchar): data moving. */
  io: number;
}

/** restic processes working on this repository (found by RESTIC_REPOSITORY in their environment). Linux only. */
export function resticProcesses(repository: string): ResticProcess[] {
  const found: ResticProcess[] = [];
  for (const name of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (!fs.readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(`RESTIC_REPOSITORY=${repository}`)) continue;
      const argv = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      const at = argv.findIndex((a) => a.endsWith('restic'));
      if (at < 0) continue;
      const command = argv.slice(at + 1).find((a) => !a.startsWith('-')) ?? '';
      const io = fs.readFileSync(`/proc/${name}/io`, 'utf8');
      const field = (key: string) => Number(new RegExp(`^${key}: (\\d+)$`, 'm').exec(io)?.[1] ?? 0);
      found.push({ pid: Number(name), command, io: field('rchar') + field('wchar') });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** The first restic `command` on this repository that has moved at least `bytes`: it is mid-transfer. */
export function resticMidTransfer(repository: string, commands: string[], bytes: number): ResticProcess | undefined {
  return resticProcesses(repository).find((p) => commands.includes(p.command) && p.io >= bytes);
}
