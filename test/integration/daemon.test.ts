import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/fixture.js';
import { lastRun, writeStatusRecord } from '../helpers/status.js';
import { archivesIn, fixtureHome, startDaemon, tempsIn, type DaemonProcess, type LogRecord } from './daemon-process.js';

const running: DaemonProcess[] = [];
afterEach(async () => {
  const stopped = running.splice(0);
  await Promise.all(stopped.map((d) => d.stop('SIGKILL')));
  // Every line every daemon wrote is strict JSON: no duplicate key (there was a second "pid"), nothing else.
  for (const d of stopped) expect(d.badLines).toEqual([]);
});
function daemon(env: NodeJS.ProcessEnv): DaemonProcess {
  const d = startDaemon(env);
  running.push(d);
  return d;
}
const finished = (r: LogRecord) => r.msg === 'backup finished';
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('openclaw-backup daemon (real subprocess, real fixture)', () => {
  it('backs up every second, keeps exactly `retention`, gives the hook its env, and follows live config edits', async () => {
    const home = makeTempDir();
    const hookLog = path.join(home, 'hook.log');
    const hook = `echo "$OPENCLAW_BACKUP_ARCHIVE|$OPENCLAW_BACKUP_DIR|$OPENCLAW_BACKUP_BYTES|$OPENCLAW_BACKUP_SHA256|$OPENCLAW_STATE_DIR|$OPENCLAW_PROFILE" >> ${hookLog}`;
    const fx = fixtureHome(home, { auto: true, schedule: '* * * * * *', retention: 3, postBackup: hook });
    const d = daemon(fx.env);
    await d.waitFor((r) => r.msg === 'daemon started');
    for (let n = 1; n <= 5; n += 1) await d.waitFor(() => d.count(finished) >= n, 90_000);
    expect(d.records.filter((r) => r.msg === 'backup finished').every((r) => r.result === 'ok')).toBe(true);
    // The fixture's config names the old machine's workspace: said once for this config, not at every tick.
    expect(d.count((r) => r.level === 'warn' && r.msg.includes('do not exist on this machine'))).toBe(1);

    // Live edit (by rename, as OpenClaw writes): retention 1, every 2 seconds.
    const mark = d.records.length;
    fx.setBackupConfig({ auto: true, schedule: '*/2 * * * * *', retention: 1, postBackup: hook });
    const reloaded = await d.waitFor((r) => r.msg === 'config reloaded', 30_000, mark);
    expect(reloaded).toMatchObject({ retention: 1, schedule: '*/2 * * * * *', rescheduled: true });
    expect(new Date(reloaded.next as string).getUTCSeconds() % 2).toBe(0);
    const after = d.records.length;
    await d.waitFor(() => d.records.slice(after).filter(finished).length >= 2, 90_000);

    // Stop scheduling, let the running cycle end, then count.
    const idleMark = d.records.length;
    fx.setBackupConfig({ auto: false, retention: 1, postBackup: hook });
    await d.waitFor((r) => r.msg.startsWith('auto is false'), 30_000, idleMark);
    const started = d.count((r) => r.msg === 'backup started');
    await d.waitFor(() => d.count(finished) >= started, 60_000);
    expect(archivesIn(fx.backups)).toHaveLength(1);
    expect(tempsIn(fx.backups)).toEqual([]);

    // The hook saw the right env for every run; the last line describes the archive that remains.
    const lines = fs.readFileSync(hookLog, 'utf8').trim().split('\n');
    expect(lines.length).toBe(d.count(finished));
    const [archive, dir, bytes, sum, stateDir, profile] = (lines.at(-1) as string).split('|');
    expect(path.basename(archive as string)).toBe(archivesIn(fx.backups)[0]);
    expect({ dir, bytes: Number(bytes), sum, stateDir, profile }).toEqual({
      dir: fx.backups,
      bytes: fs.statSync(archive as string).size,
      sum: sha256(archive as string),
      stateDir: fx.stateDir,
      profile: 'default',
    });
    expect(await d.stop('SIGTERM')).toBe(0);
    expect(d.records.at(-1)).toMatchObject({ msg: 'daemon stopped', pid: d.child.pid });
    const status = JSON.parse(fs.readFileSync(path.join(fx.stateDir, 'openclaw-backup-status.json'), 'utf8'));
    expect(status.daemon).toBeNull();
    expect(status.lastRun).toMatchObject({ result: 'ok', trigger: 'schedule', hook: { exitCode: 0 } });
  });

  it('keeps running on the last good config when an edit is invalid, logging the key path; SIGHUP reloads', async () => {
    const home = makeTempDir();
    const fx = fixtureHome(home, { auto: false });
    const d = daemon(fx.env);
    await d.waitFor((r) => r.msg === 'daemon ready');
    expect(d.count((r) => r.msg.startsWith('auto is false'))).toBe(1);

    fx.setBackupConfig({ auto: false, retention: -1 });
    const rejected = await d.waitFor((r) => r.msg.startsWith('config change ignored'));
    expect(rejected.level).toBe('error');
    expect(rejected.msg).toContain('plugins.entries["openclaw-backup"].config.retention');
    expect(rejected.issues).toEqual([expect.stringContaining('plugins.entries["openclaw-backup"].config.retention')]);

    // A misspelt component is a bad config too (checked when it loads, not at the next backup).
    fx.setBackupConfig({ auto: false, include: ['sesions'] });
    const misspelt = await d.waitFor((r) => r.msg.startsWith('config change ignored') && String(r.msg).includes('include[0]'));
    expect(misspelt.msg).toContain('plugins.entries["openclaw-backup"].config.include[0]: unknown component "sesions"');

    fs.writeFileSync(fx.configPath, '{ not json', { mode: 0o600 });
    await d.waitFor((r) => r.msg.startsWith('config change ignored') && String(r.msg).includes('not valid JSON5'));
    expect(d.child.exitCode).toBeNull();

    fx.setBackupConfig({ auto: false, retention: 4 });
    await d.waitFor((r) => r.msg === 'config reloaded' && r.retention === 4);
    const mark = d.records.length;
    process.kill(d.child.pid as number, 'SIGHUP');
    await d.waitFor((r) => r.msg === 'config reloaded' && r.why === 'SIGHUP', 30_000, mark);
    // Still idle, and it said so only once.
    expect(d.count((r) => r.msg.startsWith('auto is false'))).toBe(1);
    expect(await d.stop('SIGINT')).toBe(0);
  });

  it('SIGTERM mid-backup aborts it: no partial or staging file, lock released, exit 0 within 10 s', async () => {
    const home = makeTempDir();
    const fx = fixtureHome(home, { auto: true, schedule: '* * * * * *', compress: 'gzip' });
    const big = fs.openSync(path.join(fx.stateDir, 'media', 'big.bin'), 'w');
    for (let i = 0; i < 12; i += 1) fs.writeSync(big, randomBytes(10 * 1024 * 1024));
    fs.closeSync(big);
    const d = daemon(fx.env);
    await d.waitFor((r) => r.msg === 'backup started');
    await expect.poll(() => tempsIn(fx.backups).some((n) => n.endsWith('.partial')), { timeout: 60_000, interval: 50 }).toBe(true);
    const t0 = Date.now();
    const code = await d.stop('SIGTERM');
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(code, `${d.stderr()}\n${d.records.map((r) => JSON.stringify(r)).join('\n')}`).toBe(0);
    expect(tempsIn(fx.backups)).toEqual([]);
    expect(archivesIn(fx.backups)).toEqual([]);
    expect(fs.existsSync(path.join(fx.stateDir, 'openclaw-backup.lock'))).toBe(false);
    expect(fs.existsSync(path.join(fx.stateDir, 'openclaw-backup-daemon.lock'))).toBe(false);
    const status = JSON.parse(fs.readFileSync(path.join(fx.stateDir, 'openclaw-backup-status.json'), 'utf8'));
    expect(status.lastRun).toMatchObject({ result: 'interrupted', archive: null });
  });

  it('a second daemon on the same state dir exits 78 naming the first', async () => {
    const home = makeTempDir();
    const fx = fixtureHome(home, { auto: false });
    const first = daemon(fx.env);
    await first.waitFor((r) => r.msg === 'daemon ready');
    const second = await runCli(['daemon'], { env: fx.env, timeoutMs: 60_000 });
    expect(second.code).toBe(78);
    expect(second.stderr).toContain(`openclaw-backup: another daemon already serves ${fx.stateDir}: pid ${first.child.pid}`);
    expect(first.child.exitCode).toBeNull();
    const status = await runCli(['status', '--json'], { env: fx.env });
    expect(JSON.parse(status.stdout).daemon).toMatchObject({ running: true, pid: first.child.pid });
    expect(await first.stop()).toBe(0);
  });

  it('catches up a missed run exactly once, and not again after a restart', async () => {
    const home = makeTempDir();
    const fx = fixtureHome(home, { auto: true, schedule: '30 3 * * *', timezone: 'UTC' });
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const last = lastRun({ finishedAt: threeDaysAgo });
    writeStatusRecord(fx.stateDir, { lastRun: last, lastSuccess: last });
    const d = daemon(fx.env);
    const ready = await d.waitFor((r) => r.msg === 'daemon ready');
    expect(ready.catchUp).toBe(true);
    await d.waitFor(finished);
    expect(d.records.filter((r) => r.msg === 'backup started').map((r) => r.trigger)).toEqual(['catch-up']);
    expect(await d.stop()).toBe(0);
    expect(archivesIn(fx.backups)).toHaveLength(1);

    const again = daemon(fx.env);
    expect((await again.waitFor((r) => r.msg === 'daemon ready')).catchUp).toBe(false);
    expect(await again.stop()).toBe(0);
    expect(again.count((r) => r.msg === 'backup started')).toBe(0);
    expect(archivesIn(fx.backups)).toHaveLength(1);
  });

  it('refuses to start on an invalid config (exit 2, key path named)', async () => {
    const home = makeTempDir();
    const fx = fixtureHome(home, { schedule: 'not cron' });
    const result = await runCli(['daemon'], { env: fx.env, timeoutMs: 60_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('plugins.entries["openclaw-backup"].config.schedule');
  });
});
