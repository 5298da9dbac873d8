import type { LastRun } from '../core/status-record.js';
import type { ServiceStatus } from '../service/status.js';
import { formatBytes, formatDuration } from '../core/format.js';

function yesNo(value: boolean | undefined): string {
  return value === undefined ? 'unknown' : value ? 'yes' : 'no';
}

function ago(iso: string, now: Date): string {
  const ms = now.getTime() - Date.parse(iso);
  return Number.isFinite(ms) && ms >= 0 ? `${formatDuration(ms)} ago` : iso;
}

function describeRun(run: LastRun, now: Date): string {
  const size = run.bytes === null ? '' : `, ${formatBytes(run.bytes)}`;
  return `${run.finishedAt} (${ago(run.finishedAt, now)}) ${run.result}${run.archive ? `: ${run.archive}${size}` : ''}${run.error ? ` — ${run.error}` : ''}`;
}

/** Text for `service status`. */
export function formatServiceStatus(status: ServiceStatus, now: Date): string {
  const lines = [
    `service:      ${status.name} (${status.manager})`,
    `installed:    ${status.installed ? `yes, ${status.file}${status.foreign ? ' (not written by service install)' : ''}` : 'no'}`,
    `enabled:      ${yesNo(status.enabled)}`,
    `running:      ${yesNo(status.running)}${status.pid ? ` (pid ${status.pid})` : ''}`,
  ];
  if (status.unavailable) lines.push(`              (${status.unavailable})`);
  if (status.daemon)
    lines.push(`daemon:       pid ${status.daemon.pid} since ${status.daemon.startedAt}${status.daemon.alive ? '' : ' (not running)'}`);
  lines.push(`last backup:  ${status.lastSuccess ? describeRun(status.lastSuccess, now) : 'none recorded'}`);
  if (status.lastRun && status.lastRun.result !== 'ok') lines.push(`last run:     ${describeRun(status.lastRun, now)}`);
  if (status.nextRunAt) lines.push(`next run:     ${status.nextRunAt}`);
  return `${lines.join('\n')}\n`;
}
