import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { REPO_ROOT } from '../helpers/fixture.js';
import { backupCli, backupCliOk } from './harness/backup-cli.js';
import { screenshotDashboard } from './harness/browser.js';
import { startFakeModelServer, type FakeModelServer } from './harness/fake-model.js';
import { startGateway, stopAllGateways, type RunningGateway } from './harness/gateway.js';
import {
  configSet,
  makeHome,
  offlineModelConfig,
  onboard,
  openclaw,
  openclawOk,
  parseJsonOutput,
  type ClawHome,
} from './harness/openclaw.js';
import { npmRegistryEnv } from './harness/install.js';
import { freePort } from './harness/process.js';
import { agentTurn } from './harness/sessions.js';
import { recordScenario, scenarioDir, seconds } from './harness/summary.js';

/** Our block before the plugin exists: OpenClaw 2026.9.6 calls it a stale entry until the plugin is installed. */
const BLOCK = { auto: true, schedule: '30 3 * * *', retention: 5 };
const KEY = 'plugins.entries.openclaw-backup.config';

let fake: FakeModelServer;
let carol: ClawHome;
let port: number;
let gateway: RunningGateway | undefined;
let root: string;
const details: string[] = [];
/** The tests below: the summary lists the scenario as passed only when all of them passed (and beforeAll did). */
const STEPS = 8;
let passed = 0;

function configFile(h: ClawHome): string {
  return path.join(h.stateDir, 'openclaw.json');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a config is edited freely, like JSON
function editBlock(h: ClawHome, edit: (block: Record<string, any>) => void): void {
  const config = JSON.parse(fs.readFileSync(configFile(h), 'utf8'));
  edit(config.plugins.entries['openclaw-backup'].config);
  fs.writeFileSync(configFile(h), JSON.stringify(config, null, 2), { mode: 0o600 });
}

interface Validate {
  valid: boolean;
  issues?: Array<{ path: string; message: string }>;
  warnings?: Array<{ path: string; message: string }>;
}

async function validate(h: ClawHome): Promise<Validate> {
  return parseJsonOutput<Validate>((await openclaw(h, ['config', 'validate', '--json'])).stdout);
}

describe('openclaw-backup as an OpenClaw plugin', () => {
  beforeAll(async () => {
    root = scenarioDir('plugin');
    // The package as a user gets it (npm test:openclaw built dist/ already).
    const packDir = path.join(root, 'pack');
    fs.mkdirSync(packDir);
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], { cwd: REPO_ROOT, stdio: 'ignore' });
    const tgz = path.join(packDir, fs.readdirSync(packDir).find((f) => f.endsWith('.tgz')) as string);

    fake = await startFakeModelServer();
    carol = makeHome(inject('openclawE2e'), root, 'carol');
    port = await freePort();
    await onboard(carol, port);
    await configSet(carol, [...offlineModelConfig(fake.baseUrl), { path: `plugins.entries["openclaw-backup"].config`, value: BLOCK }]);
    const before = await validate(carol);
    expect(before.warnings?.map((w) => w.message).join('\n')).toContain('plugin not found: openclaw-backup');

    // OpenClaw runs npm for our dependencies: that call gets the outer npm's registry settings and cache.
    const withNpm = { ...carol, env: { ...carol.env, ...npmRegistryEnv() } };
    const installed = await openclawOk(withNpm, ['plugins', 'install', tgz, '--force', '--accept-capabilities'], 300_000);
    details.push(`plugins install of the packed .tgz: ${seconds(installed.ms)}`);
    await backupCliOk(carol, ['create']);
    // The first gateway start runs OpenClaw's deferred plugin migration (install leaves it pending).
    gateway = await startGateway(carol, port);
    details.push(`gateway ready with the plugin in ${seconds(gateway.startMs)}`);
  }, 1_200_000);

  afterEach((context) => {
    if (!context.task.result?.errors?.length) passed += 1;
  });

  afterAll(async () => {
    await stopAllGateways();
    await fake?.close();
    // The summary lists the scenario as passed only when every step of it did.
    if (passed === STEPS) recordScenario({ scenario: 8, title: 'the OpenClaw plugin', details });
  });

  it('config validate: valid, no warning; only `enabled: true` was added to our entry', async () => {
    expect(await validate(carol)).toMatchObject({ valid: true, warnings: [] });
    const entry = JSON.parse(fs.readFileSync(configFile(carol), 'utf8')).plugins.entries['openclaw-backup'];
    expect(entry).toEqual({ config: BLOCK, enabled: true });
    expect(fs.existsSync(path.join(carol.stateDir, 'extensions', 'openclaw-backup', 'openclaw.plugin.json'))).toBe(true);
  });

  it('plugins inspect --runtime: loaded, with the backups command and the status method', async () => {
    const result = await openclawOk(carol, ['plugins', 'inspect', 'openclaw-backup', '--runtime', '--json']);
    const inspect = parseJsonOutput<{
      plugin: { status: string };
      gatewayMethods: string[];
      cliCommands: string[];
      diagnostics: unknown[];
    }>(result.stdout);
    expect(inspect.plugin.status).toBe('loaded');
    expect(inspect.gatewayMethods).toContain('openclaw-backup.status');
    expect(inspect.cliCommands).toContain('backups');
    expect(inspect.diagnostics).toEqual([]);
  });

  it('the gateway with the plugin answers a turn, and its status method answers for this state dir', async () => {
    const turn = await agentTurn(carol, 'hello with the plugin installed');
    expect(turn.error ?? turn.text).toMatch(/fake reply #\d+/);
    const call = await openclawOk(carol, [
      'gateway',
      'call',
      'openclaw-backup.status',
      '--json',
      '--port',
      String(port),
      '--timeout',
      '120000',
    ]);
    const status = parseJsonOutput<{ stateDir: string; archives: { count: number }; overdue: { overdue: boolean }; lastError: unknown }>(
      call.stdout,
    );
    expect(status.stateDir).toBe(carol.stateDir);
    expect(status.archives.count).toBe(1);
    expect(status.overdue.overdue).toBe(false);
    expect(status.lastError).toBeNull();
    details.push(`gateway method openclaw-backup.status answered in ${seconds(call.ms)}`);
  });

  it('openclaw backups … hands over to our CLI for the same state dir, exit code included', async () => {
    const result = await openclawOk(carol, ['backups', 'status', '--json']);
    expect(parseJsonOutput<{ stateDir: string; archives: { count: number } }>(result.stdout)).toMatchObject({
      stateDir: carol.stateDir,
      archives: { count: 1 },
    });
    details.push(`openclaw backups status --json: ${seconds(result.ms)} (most of it OpenClaw loading its plugins)`);
    const bad = await openclaw(carol, ['backups', 'verify', 'no-such-archive']);
    expect(bad.code).toBe((await backupCli(carol, ['verify', 'no-such-archive'])).code);
    expect(bad.code).not.toBe(0);
  });

  it("OpenClaw's own backup create skips our backups dir", async () => {
    const result = await openclawOk(carol, ['backup', 'create', '--dry-run', '--json']);
    const plan = parseJsonOutput<{ skipped: Array<{ kind: string; sourcePath: string; reason: string }> }>(result.stdout);
    expect(plan.skipped).toContainEqual(
      expect.objectContaining({ kind: 'plugin resource', sourcePath: path.join(carol.stateDir, 'backups'), reason: 'regenerable' }),
    );
  });

  it("the Control UI shows our status on a session's dashboard (headless Chromium, screenshot)", async () => {
    const pinned = await backupCliOk(carol, ['dashboard', '--json']);
    expect(JSON.parse(pinned.stdout)).toMatchObject({ widget: 'openclaw-backup', grantState: 'granted' });
    const screenshot = path.join(root, 'plugin-dashboard.png');
    const text = await screenshotDashboard({ port, token: 'test-token-dummy-0000', expect: /archives\s+1 \(/, file: screenshot });
    expect(text).toContain('Backups: up to date');
    expect(text).toContain(carol.stateDir);
    expect(fs.statSync(screenshot).size).toBeGreaterThan(10_000);
    details.push(`Control UI dashboard widget rendered (screenshot ${screenshot})`);
  });

  it('a bad value of our key: OpenClaw names it, our doctor names it, and the gateway refuses to start', async () => {
    await gateway?.stop();
    gateway = undefined;
    editBlock(carol, (block) => {
      block.retention = -1;
    });
    const verdict = await validate(carol);
    expect(verdict.valid).toBe(false);
    expect(verdict.issues).toContainEqual({ path: `${KEY}.retention`, message: 'invalid config: must be > 0' });
    const doctor = await backupCli(carol, ['doctor']);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain('plugins.entries["openclaw-backup"].config.retention: must be > 0');
    const start = await openclaw(carol, ['gateway', 'run', '--port', String(port), '--bind', 'loopback'], 180_000);
    expect(start.code).not.toBe(0);
    expect(`${start.stdout}${start.stderr}`).toContain('OpenClaw config is invalid');
    details.push(`retention: -1 → OpenClaw: "${KEY}.retention: invalid config: must be > 0"; gateway run exits ${start.code}`);
  });

  it("a key the installed (older) copy's schema does not know, set through a newer CLI, does not stop OpenClaw or the gateway", async () => {
    // OpenClaw's copy in extensions/ stays as installed when the CLI is updated: make it one that predates `quiesce`.
    const manifestFile = path.join(carol.stateDir, 'extensions', 'openclaw-backup', 'openclaw.plugin.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    delete manifest.configSchema.properties.quiesce;
    fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
    editBlock(carol, (block) => {
      block.retention = { keepDaily: 7 };
      block.quiesce = 'stop';
    });
    expect(await validate(carol)).toMatchObject({ valid: true, warnings: [] });
    gateway = await startGateway(carol, port);
    const call = await openclawOk(carol, [
      'gateway',
      'call',
      'openclaw-backup.status',
      '--json',
      '--port',
      String(port),
      '--timeout',
      '120000',
    ]);
    expect(parseJsonOutput<{ stateDir: string }>(call.stdout).stateDir).toBe(carol.stateDir);
    const doctor = await backupCli(carol, ['doctor']);
    expect(doctor.stdout).toMatch(/^warn +plugin-schema: OpenClaw's copy of our schema .* differs from this CLI's/m);
    details.push(
      'a block with a key the installed copy does not know: config validate clean, gateway started, doctor warns to update the copy',
    );
    recordScenario({ scenario: 8, title: 'the OpenClaw plugin', details });
  });
});
