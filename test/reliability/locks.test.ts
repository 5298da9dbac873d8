import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyArchive } from '../../src/core/reader/verify-archive.js';
import { makeTempDir } from '../helpers/fixture.js';
import { archivesIn, fixtureHome, startDaemon, type DaemonProcess, type FixtureHome } from '../integration/daemon-process.js';
import { CLI_PATH, describeRun, runCli, startCli } from './helpers/cli.js';
import { createRng, scenarioSeed, suiteSeed } from './helpers/rng.js';
import { createTally } from './helpers/summary.js';

/**
 * Locks held longer than their refresh and stale times, and daemons stopped at random moments: a held lock stays
 * held (a second daemon exits 78, a backup never runs beside a stopped restore), and a stopped daemon's lock never
 * blocks the next one. The three scenarios run side by side on separate state dirs.
 */
const ROUNDS = Number(process.env.RELIABILITY_DAEMON_RESTARTS ?? 20);
const LANES = 4;
const rng = createRng(scenarioSeed('locks'));
const tally = createTally('locks');
const homes: string[] = [];
const daemons: DaemonProcess[] = [];

afterAll(async () => {
  await Promise.all(daemons.map((d) => d.stop('SIGKILL')));
  tally.record();
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

function home(block: Record<string, unknown>): FixtureHome {
  const dir = makeTempDir('ocb-rel-locks-');
  homes.push(dir);
  return fixtureHome(dir, block);
}

function daemon(fx: FixtureHome): DaemonProcess {
  const d = startDaemon(fx.env, [], CLI_PATH);
  daemons.push(d);
  return d;
}

/** Where a daemon can be when SIGTERM comes, and the log line that opens each. */
const PHASES = ['idle', 'snapshot', 'compression', 'prune', 'hook'] as const;
const PHASE_START: Record<(typeof PHASES)[number], string> = {
  idle: 'backup finished',
  snapshot: 'backup started',
  compression: 'backup started',
  prune: 'archive verified',
  hook: 'running postBackup',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, what: string, ms: number): Promise<void> {
  for (const deadline = Date.now() + ms; !check(); await sleep(50))
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
}

describe('locks held for long, daemons stopped at random moments', () => {
  it.concurrent(
    'a daemon that ran 60 s still holds its lock: a second daemon exits 78; after SIGTERM the next starts at once',
    async () => {
      const fx = home({ auto: false });
      const first = daemon(fx);
      await first.waitFor((r) => r.msg === 'daemon ready');
      const lock = path.join(fx.stateDir, 'openclaw-backup-daemon.lock');
      const since = Date.now();
      await sleep(60_000);
      // Refreshed while held: the lock's mtime is recent, its owner record intact.
      expect(fs.statSync(lock).mtimeMs).toBeGreaterThan(since + 30_000);
      expect(JSON.parse(fs.readFileSync(path.join(lock, 'owner.json'), 'utf8')).pid).toBe(first.child.pid);
      const second = await runCli(['daemon'], { env: fx.env, timeoutMs: 60_000 });
      expect(second.code, describeRun(['daemon'], second)).toBe(78);
      expect(second.stderr).toContain(`another daemon already serves ${fx.stateDir}: pid ${first.child.pid}`);
      expect(first.records.filter((r) => r.level === 'error')).toEqual([]);
      expect(await first.stop()).toBe(0);
      expect(fs.existsSync(lock)).toBe(false);
      const next = daemon(fx);
      await next.waitFor((r) => r.msg === 'daemon ready');
      expect(await next.stop()).toBe(0);
      tally.counts.cases += 1;
    },
  );

  it.concurrent('a restore stopped (SIGSTOP) for 45 s keeps its locks: create exits 4 meanwhile, or waits and runs after it', async () => {
    const fx = home({ auto: false });
    const made = await runCli(['create', '--json'], { env: fx.env });
    expect(made.code, describeRun(['create'], made)).toBe(0);
    const archive = (JSON.parse(made.stdout) as { archive: string }).archive;
    const restore = startCli(['restore', archive], { env: fx.env, timeoutMs: 240_000 });
    const opLock = path.join(fx.stateDir, 'openclaw-backup-op.lock', 'owner.json');
    await until(() => fs.existsSync(opLock), 'the restore to take its lock', 60_000);
    restore.child.kill('SIGSTOP');
    await sleep(45_000);
    const busy = await runCli(['create', '--lock-wait', '2'], { env: fx.env, timeoutMs: 60_000 });
    expect(busy.code, describeRun(['create'], busy)).toBe(4);
    expect(busy.stderr).toMatch(/is locked by pid \d+ .*openclaw-backup restore/);
    // Its config is read from a copy: openclaw.json itself is mid-swap once the restore goes on.
    const config = path.join(fx.home, 'openclaw.json');
    fs.copyFileSync(fx.configPath, config);
    const waiting = startCli(['--config', config, 'create', '--json', '--lock-wait', '120'], { env: fx.env, timeoutMs: 240_000 });
    await sleep(2_000);
    const resumedAt = Date.now();
    restore.child.kill('SIGCONT');
    const restored = await restore.done;
    expect(restored.code, describeRun(['restore'], restored)).toBe(0);
    const after = await waiting.done;
    expect(after.code, describeRun(['create'], after)).toBe(0);
    const { createdAt } = JSON.parse(after.stdout) as { createdAt: string };
    expect(Date.parse(createdAt), 'the waiting create began before the restore went on').toBeGreaterThanOrEqual(resumedAt);
    tally.counts.cases += 2;
  });

  it.concurrent(
    `${ROUNDS} SIGTERMs at random moments of daemons that ran > 15 s, each followed at once by a new daemon: all start`,
    async () => {
      const phases = new Map<string, number>();
      const lane = async (n: number) => {
        const fx = home({ auto: true, schedule: '*/3 * * * * *', retention: 2, postBackup: 'sleep 1' });
        fs.writeFileSync(path.join(fx.stateDir, 'workspace', 'bulk.bin'), rng.bytes(16 * 1024 * 1024));
        let current = daemon(fx);
        for (let round = n; round < ROUNDS; round += LANES) {
          const context = `restart #${round} (RELIABILITY_SEED=${suiteSeed()})`;
          await current
            .waitFor((r) => r.msg === 'daemon ready', 60_000)
            .catch((error: Error) => {
              throw new Error(`${context}: the daemon did not start: ${error.message}`);
            });
          await sleep(15_000 + Math.floor(rng.next() * 2_000));
          // Then the next moment of the phase this round aims at (they take turns), a little into it at random.
          const phase = PHASES[round % PHASES.length] as (typeof PHASES)[number];
          const mark = current.records.length;
          await current.waitFor((r) => r.msg === PHASE_START[phase], 60_000, mark);
          await sleep(phase === 'compression' ? 150 + Math.floor(rng.next() * 150) : Math.floor(rng.next() * 50));
          phases.set(phase, (phases.get(phase) ?? 0) + 1);
          expect(await current.stop('SIGTERM'), `${context}: exit code after SIGTERM in phase ${phase}`).toBe(0);
          tally.counts.kills += 1;
          current = daemon(fx);
        }
        await current.waitFor((r) => r.msg === 'daemon ready', 60_000);
        expect(await current.stop('SIGTERM')).toBe(0);
        expect(fs.readdirSync(fx.stateDir).filter((name) => name.startsWith('openclaw-backup') && name.endsWith('.lock'))).toEqual([]);
        for (const name of archivesIn(fx.backups)) {
          expect((await verifyArchive(path.join(fx.backups, name))).ok, name).toBe(true);
          tally.counts.archives += 1;
        }
      };
      await Promise.all(Array.from({ length: LANES }, (_, n) => lane(n)));
      tally.counts.cases += ROUNDS;
      tally.counts.note = `daemon SIGTERMs by phase: ${[...phases].map(([k, v]) => `${k} ${v}`).join(', ')}`;
      console.log(`[locks] ${ROUNDS} restarts, all started; ${tally.counts.note}`);
    },
  );
});
