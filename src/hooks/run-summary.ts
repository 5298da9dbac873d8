import { formatBytes, formatDuration } from '../core/format.js';
import type { RunOutcome } from './run-outcome.js';

/** Healthchecks keeps the first 100 kB of a ping body; ours stays far below, whatever the warnings. */
const MAX_BODY = 10_000;
const MAX_WARNINGS = 20;

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/**
 * The plain-text body of the success and fail pings: what ran, the archive, its size, the time it took, or the
 * error and the step that failed, then any warnings (a database stored raw, a file that kept changing).
 */
export function formatRunSummary(outcome: RunOutcome): string {
  const where = `profile ${outcome.profile}, trigger ${outcome.trigger}, exit code ${outcome.exitCode}`;
  const head =
    outcome.result === 'ok'
      ? `openclaw-backup ${outcome.command}: ok (${where})`
      : `openclaw-backup ${outcome.command}: ${outcome.result === 'interrupted' ? 'interrupted' : `failed in ${outcome.phase ?? 'backup'}`} (${where})`;
  const lines = [head];
  if (outcome.error) lines.push(`error: ${oneLine(outcome.error)}`);
  if (outcome.archive) lines.push(`archive: ${outcome.archive}${outcome.result === 'ok' ? '' : ' (kept)'}`);
  if (outcome.bytes !== null)
    lines.push(`size: ${formatBytes(outcome.bytes)} (${outcome.bytes} bytes)${outcome.files !== null ? `, ${outcome.files} files` : ''}`);
  lines.push(
    `duration: ${formatDuration(outcome.durationMs)}${outcome.pauseMs !== null ? `, gateway paused ${formatDuration(outcome.pauseMs)}` : ''}`,
  );
  if (outcome.pruned > 0) lines.push(`pruned: ${outcome.pruned} archive${outcome.pruned === 1 ? '' : 's'}`);
  lines.push(`started: ${outcome.startedAt}`, `state dir: ${outcome.stateDir}`);
  if (outcome.warnings.length) {
    lines.push(`warnings (${outcome.warnings.length}):`);
    for (const warning of outcome.warnings.slice(0, MAX_WARNINGS)) lines.push(`- ${oneLine(warning)}`);
    if (outcome.warnings.length > MAX_WARNINGS) lines.push(`- … and ${outcome.warnings.length - MAX_WARNINGS} more (see the log)`);
  }
  const body = `${lines.join('\n')}\n`;
  return body.length <= MAX_BODY ? body : `${body.slice(0, MAX_BODY - 2)}…\n`;
}
