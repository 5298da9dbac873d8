import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/fixture.js';
import { lastRun, writeStatusRecord } from '../helpers/status.js';
import { archivesIn, fixtureHome, startDaemon, type DaemonProcess } from './daemon-process.js';

const running: DaemonProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop('SIGKILL')));
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a status record dated in the future (the clock was wrong once)', () => {
  it('is treated as unknown: status and doctor say so, the daemon catches up, and the record heals', async () => {
    const home = makeTempDir();
    dirs.push(home);
    const fx = fixtureHome(home, { auto: true, schedule: '30 3 * * *', timezone: 'UTC' });
    const future = '2099-01-01T03:30:00.000Z';
    const last = lastRun({ finishedAt: future });
    const statusFile = writeStatusRecord(fx.stateDir, { lastRun: last, lastSuccess: last });

    const status = await runCli(['status'], { env: fx.env });
    expect(status.code).toBe(0);
    expect(status.stderr).toContain(
      `warning: the last run ${future} in ${statusFile} is in the future (the clock was wrong when it was recorded); treated as unknown, so the daemon catches up`,
    );
    // status shows times one way: local time and how long until (or ago).
    expect(status.stdout).toMatch(/last run: +ok at 2099-01-0[12] \d\d:\d\d:00 \(in .+\), schedule, in the future: treated as unknown/);
    const doctor = await runCli(['doctor'], { env: fx.env });
    expect(doctor.stdout).toContain(
      `warn  status-record: the status record's last run ${future} is in the future (the clock was wrong when it was recorded); treated as unknown, so the daemon catches up`,
    );
    expect(doctor.stdout).not.toMatch(/ok +freshness: last successful backup/);

    const d = startDaemon(fx.env);
    running.push(d);
    const warned = await d.waitFor((r) => r.msg.includes('is in the future'));
    expect(warned.msg).toBe(
      `the last run ${future} is in the future (the clock was wrong when it was recorded); treating the last run as unknown`,
    );
    expect((await d.waitFor((r) => r.msg === 'daemon ready')).catchUp).toBe(true);
    await d.waitFor((r) => r.msg === 'backup finished');
    expect(await d.stop()).toBe(0);
    expect(archivesIn(fx.backups)).toHaveLength(1);
    const healed = await runCli(['status', '--json'], { env: fx.env });
    expect(JSON.parse(healed.stdout).statusRecord.future).toEqual([]);
  });
});
