import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { backupCli } from './harness/backup-cli.js';
import { startDaemon } from './harness/daemon.js';
import { startFakeModelServer, type FakeModelServer } from './harness/fake-model.js';
import { stopAllGateways } from './harness/gateway.js';
import { migrateAndContinue, snapshotSessions } from './harness/migration.js';
import { configSet, makeHome, offlineModelConfig, onboard } from './harness/openclaw.js';
import { freePort, waitFor } from './harness/process.js';
import { agentTurn } from './harness/sessions.js';
import { recordScenario, scenarioDir, seconds } from './harness/summary.js';

const SESSION = 'agent:main:linked-notes';

let fake: FakeModelServer;
let root: string;

describe('a state dir that lives on another disk behind ~/.openclaw -> /data/…', () => {
  beforeAll(async () => {
    root = scenarioDir('symlinked');
    fake = await startFakeModelServer();
  });

  afterAll(async () => {
    await stopAllGateways();
    await fake?.close();
  });

  it('7. the daemon backs up the real state behind the link; restored on a fresh HOME, the gateway reads it', async () => {
    const grace = makeHome(inject('openclawE2e'), root, 'grace');
    await onboard(grace, await freePort());
    await configSet(grace, [
      ...offlineModelConfig(fake.baseUrl),
      { path: 'plugins.entries["openclaw-backup"].config', value: { auto: true, schedule: '* * * * * *', retention: 100 } },
    ]);
    const turn = await agentTurn(grace, 'notes: the state lives on /data', { local: true, sessionKey: SESSION });
    expect(turn.error ?? turn.text).toMatch(/fake reply #\d+/);
    const source = await snapshotSessions(grace);
    // The user moves the state to another disk and leaves a link (OpenClaw 2026.9.6 refuses to onboard through one).
    const real = path.join(root, 'data', 'grace-openclaw');
    fs.mkdirSync(path.dirname(real), { recursive: true });
    fs.renameSync(grace.stateDir, real);
    fs.symlinkSync(real, grace.stateDir);

    const daemon = await startDaemon(grace);
    const made = () =>
      daemon
        .lines()
        .filter((l) => l.msg === 'archive created')
        .map((l) => l.archive ?? '');
    try {
      await waitFor(
        () => (made().length >= 1 ? true : undefined),
        180_000,
        () => `the daemon made ${made().length} archives`,
      );
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
    expect(daemon.lines().filter((l) => l.level >= 50)).toEqual([]);
    const archive = made().at(-1) as string;
    expect(fs.realpathSync(path.dirname(archive))).toBe(path.join(real, 'backups'));
    const header = JSON.parse(execFileSync('tar', ['-xOf', archive, 'openclaw-backup/header.json'], { encoding: 'utf8' }));
    expect(header.roots[0]).toMatchObject({ id: 'state', path: real, linkPath: grace.stateDir });
    const names = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).split('\n');
    expect(names).toEqual(
      expect.arrayContaining(['openclaw-backup/state/openclaw.json', 'openclaw-backup/state/agents/main/agent/openclaw-agent.sqlite']),
    );
    expect(names.filter((n) => n.includes('/backups'))).toEqual([]);
    const verified = await backupCli(grace, ['verify', archive]);
    expect(verified.code, verified.stderr).toBe(0);

    const ivan = makeHome(inject('openclawE2e'), root, 'ivan');
    const moved = await migrateAndContinue(source, ivan, archive, SESSION);
    expect(fs.lstatSync(ivan.stateDir).isDirectory()).toBe(true);
    expect(fs.readFileSync(path.join(ivan.stateDir, 'openclaw.json'), 'utf8')).not.toContain(real);

    recordScenario({
      scenario: 7,
      title: 'symlinked state dir',
      details: [
        `~/.openclaw -> ${path.relative(root, real)}: the daemon's archive holds the real state (${names.filter((n) => !n.endsWith('/')).length} entries), header records the link and the real path, verify ok`,
        `restored under ${ivan.user}'s fresh home as a directory; gateway ready in ${seconds(moved.gatewayStartMs)}; ${moved.sessionsCompared} sessions identical; ${SESSION} continued`,
      ],
      sessionsCompared: moved.sessionsCompared,
    });
  });
});
