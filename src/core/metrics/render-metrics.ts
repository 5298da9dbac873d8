import type { BackupTotals } from './backup-totals.js';

/** What the metrics file states; every value is a number, none is a secret. */
export interface MetricsInput {
  profile: string;
  now: Date;
  lastRun: {
    finishedAt: string;
    exitCode: number;
    durationMs: number;
    bytes: number | null;
    files: number | null;
    pauseMs: number | null;
  };
  /** When the newest successful run finished; null when none ever did. */
  lastSuccessAt: string | null;
  /** Unknown when the backups could not be listed. */
  totals: BackupTotals | null;
}

interface Metric {
  name: string;
  help: string;
  value: number | null;
}

const seconds = (iso: string | null | undefined) => (iso ? Date.parse(iso) / 1000 : 0);

/** A label value in the text format: backslash, double quote and newline escaped. */
function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function metricsOf(input: MetricsInput): Metric[] {
  const run = input.lastRun;
  const totals = input.totals;
  const newest = totals?.newestAt ?? null;
  return [
    { name: 'last_run_timestamp_seconds', help: 'When the last run finished (Unix time).', value: seconds(run.finishedAt) },
    {
      name: 'last_success_timestamp_seconds',
      help: 'When the last successful run finished (Unix time; 0 when none has).',
      value: seconds(input.lastSuccessAt),
    },
    {
      name: 'last_exit_code',
      help: 'Exit code of the last run (0 ok, 1 failure, 3 integrity, 4 busy, 130 interrupted).',
      value: run.exitCode,
    },
    { name: 'last_run_duration_seconds', help: 'How long the last run took.', value: run.durationMs / 1000 },
    { name: 'last_run_bytes', help: 'Size of the archive the last run wrote (0 when it wrote none).', value: run.bytes ?? 0 },
    { name: 'last_run_files', help: 'Files in the archive the last run wrote (0 when it wrote none).', value: run.files ?? 0 },
    { name: 'last_run_pause_seconds', help: 'How long the last run held the gateway quiesced.', value: (run.pauseMs ?? 0) / 1000 },
    // A repository counts snapshots; a backups dir, archives.
    {
      name: totals?.kind ?? 'archives',
      help: `${totals?.kind === 'snapshots' ? 'Snapshots of this profile in the repository' : 'Archives of this profile in the backups dir'}.`,
      value: totals ? totals.count : null,
    },
    { name: `${totals?.kind ?? 'archives'}_bytes`, help: 'Total size of those backups.', value: totals ? totals.bytes : null },
    {
      name: 'newest_archive_timestamp_seconds',
      help: 'When the newest archive was made (Unix time; 0 when there is none).',
      value: totals ? seconds(newest?.toISOString()) : null,
    },
    {
      name: 'newest_archive_age_seconds',
      help: 'Age of the newest archive when this file was written (alert on time() - openclaw_backup_newest_archive_timestamp_seconds).',
      value: newest ? Math.max(0, (input.now.getTime() - newest.getTime()) / 1000) : null,
    },
  ];
}

/** The Prometheus text exposition format, one gauge per fact, each with a `profile` label. */
export function renderMetrics(input: MetricsInput): string {
  const label = `{profile="${escapeLabel(input.profile)}"}`;
  const lines: string[] = [];
  for (const metric of metricsOf(input)) {
    if (metric.value === null || !Number.isFinite(metric.value)) continue;
    const name = `openclaw_backup_${metric.name}`;
    lines.push(`# HELP ${name} ${metric.help}`, `# TYPE ${name} gauge`, `${name}${label} ${metric.value}`);
  }
  return `${lines.join('\n')}\n`;
}
