import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { backupCli, backupCliOk } from './harness/backup-cli.js';
import { FAKE_MODEL_REF, startFakeModelServer, type FakeModelServer } from './harness/fake-model.js';
import { nonLoopbackSockets, startGateway, stopAllGateways, type RunningGateway } from './harness/gateway.js';
import {
  configSet,
  makeHome,
  offlineModelConfig,
  onboard,
  openclaw,
  openclawOk,
  parseJsonOutput,
  readConfig,
  type ClawHome,
} from './harness/openclaw.js';
import { startDaemon } from './harness/daemon.js';
import { freePort, waitFor } from './harness/process.js';
import { migrateAndContinue, snapshotSessions, type SessionSnapshot } from './harness/migration.js';
import { agentDatabase, agentTurn, gatewaySessionKeys, listSessions, transcriptCounts, type AgentTurn } from './harness/sessions.js';
import { recordScenario, scenarioDir, seconds } from './harness/summary.js';

/** Our block, where OpenClaw 2026.9.x accepts it: the daemon backs up every second (croner's seconds field). */
const BACKUP_BLOCK = { auto: true, schedule: '* * * * * *', compress: 'zstd', retention: 100 };
const MIN_BACKUPS_DURING_TURNS = 3;
const TURNS_DURING_BACKUPS = 4;

let fake: FakeModelServer;
let alice: ClawHome;
let gateway: RunningGateway;
let root: string;
/** alice's sessions when her gateway stopped after the last archive (scenarios 2, 6 and 4 compare against it). */
let source: SessionSnapshot;

function slowest(turns: AgentTurn[]): number {
  return Math.max(...turns.map((t) => t.ms));
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function expectAnswered(turns: AgentTurn[]): void {
  for (const turn of turns) expect(turn.error ?? turn.text, 'agent turn failed').toMatch(/fake reply #\d+/);
}

describe('a live OpenClaw gateway', () => {
  beforeAll(async () => {
    root = scenarioDir('live');
    fake = await startFakeModelServer();
    alice = makeHome(inject('openclawE2e'), root, 'alice');
    const port = await freePort();
    await onboard(alice, port);
    await configSet(alice, [
      ...offlineModelConfig(fake.baseUrl),
      { path: 'plugins.entries["openclaw-backup"].config', value: BACKUP_BLOCK },
    ]);
    gateway = await startGateway(alice, port);
    // The first turn of a fresh gateway warms caches and creates the session; it is not a fair baseline.
    const warmUp = await agentTurn(alice, 'warm-up turn');
    expect(warmUp.error ?? warmUp.text).toMatch(/fake reply #\d+/);
  });

  afterAll(async () => {
    await stopAllGateways();
    await fake?.close();
  });

  it('1. backs up while agent turns are made; the gateway keeps answering and every archive verifies', async () => {
    expect(nonLoopbackSockets(gateway)).toEqual([]);
    expect(gateway.sockets().length).toBeGreaterThan(0);

    const without = [
      await agentTurn(alice, 'first turn, before any backup'),
      await agentTurn(alice, 'notes: remember the backup plan', { sessionKey: 'agent:main:notes' }),
    ];
    expectAnswered(without);

    const daemon = await startDaemon(alice);
    const made = () => daemon.lines().filter((l) => l.msg === 'archive created').length;
    const during: AgentTurn[] = [];
    try {
      for (let i = 0; i < TURNS_DURING_BACKUPS; i++)
        during.push(await agentTurn(alice, `turn ${i} during backups`, i % 2 ? { sessionKey: 'agent:main:notes' } : {}));
      await waitFor(
        () => (made() >= MIN_BACKUPS_DURING_TURNS ? true : undefined),
        180_000,
        () => `the daemon made ${made()} archives`,
      );
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
    const lines = daemon.lines();
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    const archives = lines.filter((l) => l.msg === 'archive created').map((l) => l.archive ?? '');
    expectAnswered(during);
    expect(nonLoopbackSockets(gateway)).toEqual([]);

    // The last archive is taken after the last turn (one `run` cycle), so it holds every session and transcript.
    const last = await backupCliOk(alice, ['run', '--json'], 240_000);
    archives.push((JSON.parse(last.stdout) as { archive: string }).archive);
    for (const archive of archives) {
      expect(archive).toMatch(/\.tar\.zst$/);
      const verified = await backupCli(alice, ['verify', archive]);
      expect(verified.stderr).toBe('');
      expect(verified.code).toBe(0);
    }
    fs.writeFileSync(path.join(root, 'last-archive'), archives.at(-1) ?? '');

    const slowestDuring = slowest(during);
    const slowestWithout = slowest(without);
    // A loose bound for a shared 2-core machine: backups may slow a turn, never stall the gateway.
    expect(slowestDuring).toBeLessThan(slowestWithout * 4 + 30_000);
    recordScenario({
      scenario: 1,
      title: 'live backup',
      details: [
        `gateway ready in ${seconds(gateway.startMs)}, bound only to ${[...new Set(gateway.sockets().map((s) => `${s.address}:${s.port}`))].join(', ')}`,
        `${archives.length} archives (the daemon on a per-second schedule, then one "run"), all verified; ${during.length} turns during backups, ${without.length} without`,
      ],
      turnsDuringBackup: during.length,
      slowestTurnMs: { during: slowestDuring, without: slowestWithout },
    });
  });

  it('5. OpenClaw accepts our block under plugins.entries and rejects a top-level backup key', async () => {
    const valid = await openclaw(alice, ['config', 'validate']);
    expect(valid.code, valid.stderr).toBe(0);

    const config = readConfig(alice);
    expect((config.plugins as { entries: Record<string, { config?: unknown }> }).entries['openclaw-backup']?.config).toEqual(BACKUP_BLOCK);
    const { plugins: _plugins, ...withoutPlugin } = config;
    const topLevel = path.join(root, 'top-level-backup.json');
    fs.writeFileSync(topLevel, JSON.stringify({ ...withoutPlugin, backup: BACKUP_BLOCK }, null, 2), { mode: 0o600 });
    const rejected = await openclaw({ ...alice, env: { ...alice.env, OPENCLAW_CONFIG_PATH: topLevel } }, ['config', 'validate']);
    expect(rejected.code).not.toBe(0);
    expect(`${rejected.stdout}${rejected.stderr}`).toMatch(/Unrecognized key.*"backup"/);
    const doctor = await backupCli(alice, ['doctor', '--config', topLevel], 240_000);
    expect(doctor.code, doctor.stderr).toBe(1);
    expect(doctor.stdout).toMatch(/openclaw config validate rejects .*Unrecognized key.*"backup"/);
    expect(doctor.stdout).toContain('plugins.entries["openclaw-backup"].config');

    recordScenario({
      scenario: 5,
      title: 'config block',
      details: [
        'plugins.entries["openclaw-backup"].config: openclaw config validate ok, gateway started, our daemon used it (per-second zstd backups)',
        'top-level backup: openclaw config validate rejects it (Unrecognized key "backup"), and our doctor reports that',
      ],
    });
  });
  it('2. migrates to a new home: restore the last archive under another user, the real gateway continues', async () => {
    const archive = fs.readFileSync(path.join(root, 'last-archive'), 'utf8');
    await gateway.stop();
    source = await snapshotSessions(alice);
    expect(source.sessions.map((s) => s.key)).toEqual(expect.arrayContaining(['agent:main:main', 'agent:main:notes']));

    const bob = makeHome(inject('openclawE2e'), root, 'bob');
    const moved = await migrateAndContinue(source, bob, archive, 'agent:main:notes');
    expect(moved.restore.rewrites.length).toBeGreaterThan(0);
    recordScenario({
      scenario: 2,
      title: 'migration',
      details: [
        `restored into ${bob.home} (${moved.restore.rewrites.length} openclaw.json paths remapped), config validate ok, gateway ready in ${seconds(moved.gatewayStartMs)}`,
        `${moved.sessionsCompared} sessions: same keys and transcript counts; agent:main:notes continued (${moved.continued.eventsBefore} → ${moved.continued.eventsAfter} events)`,
      ],
      sessionsCompared: moved.sessionsCompared,
    });
  });

  it('6. restores an archive made by `openclaw backup create`; the gateway starts on it', async () => {
    const out = path.join(root, 'native');
    fs.mkdirSync(out, { recursive: true });
    const native = await openclawOk(alice, ['backup', 'create', '--output', out, '--verify', '--json']);
    const archive = parseJsonOutput<{ archivePath?: string }>(native.stdout).archivePath ?? path.join(out, fs.readdirSync(out)[0] ?? '');
    expect(fs.existsSync(archive), native.stdout).toBe(true);
    const verified = await backupCli(alice, ['verify', archive]);
    expect(verified.code, verified.stderr).toBe(0);

    const henry = makeHome(inject('openclawE2e'), root, 'henry');
    const moved = await migrateAndContinue(source, henry, archive, 'agent:main:main');
    recordScenario({
      scenario: 6,
      title: 'native archive',
      details: [
        `${path.basename(archive)} (openclaw backup create --verify): our verify ok, restored under ${henry.home}, config validate ok`,
        `gateway ready in ${seconds(moved.gatewayStartMs)}; ${moved.sessionsCompared} sessions identical; agent:main:main continued`,
      ],
      sessionsCompared: moved.sessionsCompared,
    });
  });

  it('4. restore --only config leaves everything else; an imported session is listed and continued by the gateway', async () => {
    const frank = makeHome(inject('openclawE2e'), root, 'frank');
    const port = await freePort();
    await onboard(frank, port);
    await configSet(frank, offlineModelConfig(fake.baseUrl));
    const created = await backupCliOk(frank, ['create', '--json']);
    const archive = (JSON.parse(created.stdout) as { archive: string }).archive;

    // A session exported from alice's state goes into frank's fresh one.
    const exported = path.join(root, 'notes-session.json');
    await backupCliOk(alice, ['sessions', 'export', 'agent:main:notes', '--output', exported]);
    await backupCliOk(frank, ['sessions', 'import', exported, '--json']);
    const notes = source.sessions.find((s) => s.key === 'agent:main:notes');
    const expectImported = async () => {
      expect((await listSessions(frank)).find((s) => s.key === 'agent:main:notes')).toEqual(notes);
      expect(transcriptCounts(frank.stateDir)['agent:main:notes']).toBe(source.counts['agent:main:notes']);
    };
    await expectImported();

    // After the archive the config changed, a workspace file appeared and a session was imported:
    // `restore --only config` brings the config back and leaves the rest.
    await configSet(frank, [{ path: 'agents.defaults.model.primary', value: 'anthropic/claude-opus-5' }]);
    const later = path.join(frank.stateDir, 'workspace', 'written-after-the-archive.md');
    fs.writeFileSync(later, 'keep me\n');
    const dbBefore = sha256(agentDatabase(frank.stateDir));
    await backupCliOk(frank, ['restore', archive, '--only', 'config', '--json'], 240_000);
    expect((readConfig(frank).agents as { defaults: { model: { primary: string } } }).defaults.model.primary).toBe(FAKE_MODEL_REF);
    expect(fs.readFileSync(later, 'utf8')).toBe('keep me\n');
    expect(sha256(agentDatabase(frank.stateDir))).toBe(dbBefore);
    await expectImported();

    const frankGateway = await startGateway(frank, port);
    expect(nonLoopbackSockets(frankGateway)).toEqual([]);
    expect(await gatewaySessionKeys(frank, port)).toContain('agent:main:notes');
    const turn = await agentTurn(frank, 'and what was the plan again?', { sessionKey: 'agent:main:notes' });
    expectAnswered([turn]);
    expect(turn.sessionId).toBe(notes?.sessionId);
    await frankGateway.stop();

    recordScenario({
      scenario: 4,
      title: 'selective restore + import',
      details: [
        'restore --only config: the config came back; a later workspace file and the sessions database were untouched',
        `sessions export/import of agent:main:notes into a fresh state: listed by its gateway (ready in ${seconds(frankGateway.startMs)}) and continued`,
      ],
      sessionsCompared: 1,
    });
  });
});
