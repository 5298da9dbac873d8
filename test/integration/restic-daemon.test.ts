import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/fixture.js';
import { snapshotsOf, writePasswordFile } from '../helpers/restic.js';
import { fixtureHome, startDaemon, type DaemonProcess, type LogRecord } from './daemon-process.js';

let daemon: DaemonProcess | undefined;
let home: string | undefined;
afterEach(async () => {
  await daemon?.stop('SIGKILL');
  daemon = undefined;
  if (home) fs.rmSync(home, { recursive: true, force: true });
});
const finished = (r: LogRecord) => r.msg === 'backup finished';

// Each case runs several real restic commands: a loaded machine can take minutes, a quiet one seconds.
describe('the daemon with a restic repository', { timeout: 300_000 }, () => {
  it('runs on schedule into the repository, applies retention there, and still runs postBackup', async () => {
    home = makeTempDir('ocb-restic-daemon-');
    const repo = path.join(home, 'repo');
    const passwordFile = writePasswordFile(home);
    execFileSync('restic', ['init'], {
      env: { PATH: process.env.PATH, HOME: home, RESTIC_REPOSITORY: repo, RESTIC_PASSWORD_FILE: passwordFile },
      stdio: 'ignore',
    });
    const hookLog = path.join(home, 'hook.log');
    const fx = fixtureHome(home, {
      auto: true,
      schedule: '*/2 * * * * *',
      retention: 2,
      repository: { url: repo, passwordFile },
      postBackup: `echo "$OPENCLAW_BACKUP_ARCHIVE $OPENCLAW_BACKUP_DIR" >> ${hookLog}`,
    });
    daemon = startDaemon(fx.env);
    await daemon.waitFor((r) => r.msg === 'daemon started');
    for (let n = 1; n <= 3; n += 1) await daemon.waitFor(() => daemon!.count(finished) >= n, 180_000);
    await daemon.stop('SIGTERM');
    const runs = daemon.records.filter(finished);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(
      runs.every((r) => r.result === 'ok'),
      JSON.stringify(runs),
    ).toBe(true);
    expect(daemon.records.some((r) => r.msg === 'retention applied' && Array.isArray(r.removed) && r.removed.length > 0)).toBe(true);
    const left = snapshotsOf({ repo, passwordFile });
    expect(left).toHaveLength(2);
    const hooked = fs.readFileSync(hookLog, 'utf8').trim().split('\n');
    expect(hooked.length).toBeGreaterThanOrEqual(3);
    for (const line of hooked) expect(line).toMatch(new RegExp(`^[0-9a-f]{8} ${repo}$`));
    expect(left.map((s) => s.short_id)).toContain(hooked.at(-1)?.split(' ')[0]);
  }, 400_000);
});
