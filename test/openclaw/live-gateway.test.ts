import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { backupCli, backupCliOk } from './harness/backup-cli.js';
import { startFakeModelServer, type FakeModelServer } from './harness/fake-model.js';
import { nonLoopbackSockets, startGateway, stopAllGateways, type RunningGateway } from './harness/gateway.js';
import { configSet, makeHome, offlineModelConfig, onboard, openclaw, type ClawHome } from './harness/openclaw.js';
import { freePort } from './harness/process.js';
import { agentTurn, type AgentTurn } from './harness/sessions.js';
import { recordScenario, scenarioDir, seconds } from './harness/summary.js';

/** Our block, where OpenClaw 2026.9.x accepts it. zstd + retention prove our CLI read it from there. */
const BACKUP_BLOCK = { compress: 'zstd', retention: 50 };
const MIN_BACKUPS_DURING_TURNS = 3;
const TURNS_DURING_BACKUPS = 4;
const BACKUP_INTERVAL_MS = 2_000;

let fake: FakeModelServer;
let alice: ClawHome;
let gateway: RunningGateway;
let root: string;

function slowest(turns: AgentTurn[]): number {
  return Math.max(...turns.map((t) => t.ms));
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
    await configSet(alice, [...offlineModelConfig(fake.baseUrl), { path: 'plugins.entries["openclaw-backup"].config', value: BACKUP_BLOCK }]);
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

    const without = [await agentTurn(alice, 'first turn, before any backup'), await agentTurn(alice, 'notes: remember the backup plan', 'agent:main:notes')];
    expectAnswered(without);

    const archives: string[] = [];
    let turnsDone = false;
    const backups = (async () => {
      while (!turnsDone || archives.length < MIN_BACKUPS_DURING_TURNS) {
        const result = await backupCliOk(alice, ['create', '--json'], 240_000);
        archives.push((JSON.parse(result.stdout) as { archive: string }).archive);
        await new Promise((r) => setTimeout(r, BACKUP_INTERVAL_MS));
      }
    })();
    const during: AgentTurn[] = [];
    try {
      for (let i = 0; i < TURNS_DURING_BACKUPS; i++) during.push(await agentTurn(alice, `turn ${i} during backups`, i % 2 ? 'agent:main:notes' : undefined));
    } finally {
      turnsDone = true;
      await backups;
    }
    expectAnswered(during);
    expect(nonLoopbackSockets(gateway)).toEqual([]);

    // The last archive is taken after the last turn, so it holds every session and transcript (scenario 2 uses it).
    const last = await backupCliOk(alice, ['create', '--json', '--verify'], 240_000);
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
        `${archives.length} archives by "create" in a loop, all verified; ${during.length} turns during backups, ${without.length} without`,
      ],
      turnsDuringBackup: during.length,
      slowestTurnMs: { during: slowestDuring, without: slowestWithout },
    });
  });

  it('5. OpenClaw accepts our block under plugins.entries and rejects a top-level backup key', async () => {
    const valid = await openclaw(alice, ['config', 'validate']);
    expect(valid.code, valid.stderr).toBe(0);

    const config = JSON.parse(fs.readFileSync(path.join(alice.stateDir, 'openclaw.json'), 'utf8')) as Record<string, unknown>;
    expect((config.plugins as { entries: Record<string, { config?: unknown }> }).entries['openclaw-backup']?.config).toEqual(BACKUP_BLOCK);
    const { plugins: _plugins, ...withoutPlugin } = config;
    const topLevel = path.join(root, 'top-level-backup.json');
    fs.writeFileSync(topLevel, JSON.stringify({ ...withoutPlugin, backup: BACKUP_BLOCK }, null, 2), { mode: 0o600 });
    const rejected = await openclaw({ ...alice, env: { ...alice.env, OPENCLAW_CONFIG_PATH: topLevel } }, ['config', 'validate']);
    expect(rejected.code).not.toBe(0);
    expect(`${rejected.stdout}${rejected.stderr}`).toMatch(/Unrecognized key.*"backup"/);

    recordScenario({
      scenario: 5,
      title: 'config block',
      details: [
        'plugins.entries["openclaw-backup"].config: openclaw config validate ok, gateway started, our CLI used it (zstd archives)',
        'top-level backup: openclaw config validate rejects it (Unrecognized key "backup")',
      ],
    });
  });
});
