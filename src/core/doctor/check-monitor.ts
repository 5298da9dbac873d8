import fs from 'node:fs/promises';
import path from 'node:path';
import { expandHome } from '../../config/paths.js';
import { redactPingUrl } from '../ping-url.js';
import { readStatus } from '../status-record.js';
import { ok, type DoctorCheck, type DoctorFinding } from './types.js';

/** The monitor's last ping (a failing one means failures go unnoticed), and whether the metrics file can be written. */
export const checkMonitor: DoctorCheck = async (context) => {
  const findings: DoctorFinding[] = [];
  const monitor = context.backup.monitor;
  if (!monitor) findings.push(ok('monitor', 'no monitor configured'));
  else {
    const target = redactPingUrl(monitor.url);
    const { record } = await readStatus(context.paths.stateDir);
    const last = record.monitor?.lastPing ?? null;
    if (!last) findings.push(ok('monitor', `monitor ${target} configured; no ping sent yet`));
    else if (last.ok)
      findings.push(
        ok(
          'monitor',
          `monitor ${target}: last ping (${last.kind}) answered${last.status !== null ? ` HTTP ${last.status}` : ''} at ${last.at}`,
        ),
      );
    else {
      findings.push({
        id: 'monitor',
        level: 'warn',
        message: `monitor ${target}: the last ping (${last.kind}, ${last.attempts} tries) failed at ${last.at}: ${last.error}; failed backups may go unnoticed`,
        fix: `check backup.monitor and that this machine reaches ${target} (curl -fsS -m 10 --retry 3 <your ping URL>)`,
      });
    }
  }
  const metricsFile = context.backup.metricsFile;
  if (metricsFile) {
    const file = expandHome(metricsFile, context.paths.home, context.paths.stateDir);
    const dir = path.dirname(file);
    const writable = await fs.access(dir, fs.constants.W_OK).then(
      () => true,
      () => false,
    );
    findings.push(
      writable
        ? ok('metrics-file', `metrics file ${file} (its directory is writable)`)
        : {
            id: 'metrics-file',
            level: 'warn',
            message: `metricsFile ${file}: directory ${dir} does not exist or is not writable; runs cannot write the metrics`,
            fix: `mkdir -p ${dir} (owned by you), or change backup.metricsFile`,
          },
    );
  }
  return findings;
};
