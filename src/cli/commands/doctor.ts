import type { Command } from 'commander';
import { BackupError } from '../../errors.js';
import { runDoctor, type DoctorReport } from '../../core/doctor/run-doctor.js';
import { createCommandRunner } from '../../core/run-command.js';
import { serviceHome } from '../../service/target.js';
import { escapeControl } from '../../core/format.js';
import { printJson, resolvePaths, type CommandIO, type GlobalOptions } from '../context.js';

const LABEL = { ok: 'ok   ', warn: 'warn ', error: 'error' } as const;

function printReport(io: CommandIO, report: DoctorReport): void {
  for (const finding of report.findings) {
    io.stdout.write(`${LABEL[finding.level]} ${finding.id}: ${escapeControl(finding.message)}\n`);
    for (const change of finding.fixed ?? []) io.stdout.write(`      fixed: ${escapeControl(change)}\n`);
    if (finding.level !== 'ok' && finding.fix) io.stdout.write(`      fix: ${escapeControl(finding.fix)}\n`);
  }
  const { counts } = report;
  io.stdout.write(`\n${counts.error} error(s), ${counts.warn} warning(s), ${counts.ok} ok\n`);
}

export function registerDoctor(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  program
    .command('doctor')
    .description('check state dir, services, permissions, config, freshness, disk space and stale locks')
    .option('--fix', 'apply the safe fixes: chmod/chown to you, remove stale locks of dead processes')
    .option('--json', 'print one JSON object')
    .action(async (flags: { fix?: boolean; json?: boolean }) => {
      const paths = resolvePaths(globals(), io);
      const report = await runDoctor({
        paths,
        env: io.env,
        home: serviceHome(io.env),
        uid: process.getuid?.() ?? 0,
        gid: process.getgid?.() ?? 0,
        now: new Date(),
        fix: flags.fix ?? false,
        run: createCommandRunner(io.env),
        signal: io.signal,
      });
      if (flags.json) printJson(io, report);
      else printReport(io, report);
      if (!report.ok) throw new BackupError('failure', `doctor found ${report.counts.error} error(s)`, { details: { reported: true } });
    });
}
