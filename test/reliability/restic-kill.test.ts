import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, unpackFixture } from '../helpers/fixture.js';
import { restic, snapshotsOf, writePasswordFile, type ResticCall } from '../helpers/restic.js';
import { waitFor } from '../helpers/wait.js';
import { runCli } from './helpers/cli.js';
import { runAndKill } from './helpers/kill.js';
import { createRng, suiteSeed } from './helpers/rng.js';
import { createTally } from './helpers/summary.js';

const KILLS = 6;
const tally = createTally('restic-kill');
let home: string;
let call: ResticCall;

/**
 * restic processes still working on this repository (found by the repository in their environment), and restic
 * zombies: a restic orphaned by the kill stays a zombie until PID 1 reaps it, which here can take seconds, and
 * `restic unlock` takes a zombie for a live process (its SIGHUP probe succeeds), so it keeps the dead one's lock.
 */
function resticProcessesOn(repo: string): string[] {
  const left: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (/^\d+ \(restic\) Z /.test(stat)) left.push(`${pid} (zombie)`);
      else if (fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`RESTIC_REPOSITORY=${repo}`)) left.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return left;
}

async function noResticLeft(repo: string): Promise<string[]> {
  await waitFor(() => resticProcessesOn(repo).length === 0, { what: 'restic to end', timeoutMs: 60_000, intervalMs: 200 }).catch(() => {});
  return resticProcessesOn(repo);
}

beforeAll(() => {
  home = makeTempDir('ocb-restic-kill-');
  const stateDir = unpackFixture(home);
  const repo = path.join(home, 'repo');
  call = { repo, passwordFile: writePasswordFile(home) };
  restic(call, ['init']);
  const configPath = path.join(stateDir, 'openclaw.json');
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as { plugins: { entries: Record<string, unknown> } };
  config.plugins.entries['openclaw-backup'] = { config: { repository: { url: repo, passwordFile: call.passwordFile }, retention: 3 } };
  fs.writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
});
afterAll(() => {
  tally.record();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('kill -9 during a repository backup', () => {
  it('leaves no restic behind, a repository restic check passes, no partial snapshot, and the next run succeeds', async () => {
    const rng = createRng(suiteSeed() ^ 0x5e571c);
    const env = { HOME: home };
    const full = Date.now();
    expect((await runCli(['run'], { env, timeoutMs: 300_000 })).code).toBe(0);
    const runMs = Date.now() - full;
    for (let i = 0; i < KILLS; i += 1) {
      const delay = rng.int(100, Math.max(300, runMs));
      const context = `kill #${i} at ${delay} ms of ~${runMs} (RELIABILITY_SEED=${suiteSeed()})`;
      const outcome = await runAndKill(['run'], delay, { env, timeoutMs: 300_000 });
      tally.counts.cases += 1;
      if (outcome.killed) tally.counts.kills += 1;
      expect(await noResticLeft(call.repo), context).toEqual([]);
      // Read-only check while the killed restic's lock may still be there.
      expect(restic(call, ['check', '--no-lock']), context).toContain('no errors were found');
      const next = await runCli(['run', '--json'], { env, timeoutMs: 300_000 });
      expect(next.code, `${context}: ${next.stderr}`).toBe(0);
      // The next run removed the dead process's stale lock: an exclusive check gets its lock.
      expect(restic(call, ['check']), context).toContain('no errors were found');
      for (const snapshot of snapshotsOf(call)) {
        const verify = await runCli(['verify', snapshot.id], { env, timeoutMs: 300_000 });
        expect(verify.code, `${context}: snapshot ${snapshot.short_id}: ${verify.stderr}`).toBe(0);
        tally.counts.archives += 1;
      }
    }
    console.log(
      `[restic-kill] RELIABILITY_SEED=${suiteSeed()}, ${tally.counts.kills}/${KILLS} runs killed mid-way, a run takes ${runMs} ms`,
    );
    expect(tally.counts.kills).toBeGreaterThan(0);
  });
});
