import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, unpackFixture, writeTree } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';
import { lastRun, writeStatusRecord } from '../helpers/status.js';
import type { StatusRecord } from '../../src/core/status-record.js';

interface Home {
  home: string;
  stateDir: string;
  config: string;
  env: NodeJS.ProcessEnv;
}

/** The real fixture, with the old machine's /home/openclaw paths pointed at this copy (as a clean migration leaves it). */
function migratedFixture(): Home {
  const home = makeTempDir('ocb-doctor-');
  const stateDir = unpackFixture(home);
  const config = path.join(stateDir, 'openclaw.json');
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replaceAll('/home/openclaw/.openclaw', stateDir), { mode: 0o600 });
  return { home, stateDir, config, env: { HOME: home, PATH: '/usr/bin:/bin' } };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a config is edited freely, like JSON
function editConfig(h: Home, edit: (config: Record<string, any>) => void): void {
  const config = JSON.parse(fs.readFileSync(h.config, 'utf8'));
  edit(config);
  fs.writeFileSync(h.config, JSON.stringify(config, null, 2));
}

function setPluginBlock(h: Home, block: Record<string, unknown>): void {
  editConfig(h, (config) => {
    config.plugins.entries['openclaw-backup'] = { config: block };
  });
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

function writeStatus(h: Home, status: Partial<StatusRecord>): void {
  writeStatusRecord(h.stateDir, status);
}

function run(h: Home, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  return callCli(['doctor', ...args], { env: { ...h.env, ...env } });
}

describe('doctor on the real fixture', () => {
  it('a clean migrated copy has no errors (exit 0) and --json lists every check', async () => {
    const h = migratedFixture();
    const result = await run(h);
    expect(result.stdout).not.toMatch(/^error/m);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok +permissions: ownership and modes are tight/m);
    const json = JSON.parse((await run(h, ['--json'])).stdout);
    expect(json.ok).toBe(true);
    expect(new Set(json.findings.map((f: { id: string }) => f.id))).toEqual(
      new Set([
        'state-dir',
        'backup-block',
        'openclaw-validate',
        'plugin',
        'config-paths',
        'permissions',
        'links',
        'post-backup',
        'locks',
        'rollback-copies',
        'freshness',
        'daemon',
        'monitor',
        'disk-space',
      ]),
    );
  });

  it('config paths from another machine are errors with the local equivalent as the fix', async () => {
    const home = makeTempDir('ocb-doctor-');
    unpackFixture(home);
    const result = await callCli(['doctor'], { env: { HOME: home, PATH: '/usr/bin:/bin' } });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'error config-paths: agents.defaults.workspace = /home/openclaw/.openclaw/workspace does not exist (a path from another machine?)',
    );
    expect(result.stdout).toContain(`fix: openclaw config set agents.defaults.workspace ${home}/.openclaw/workspace`);
    expect(result.stdout).toContain(
      'error config-paths: agents.entries.main.agentDir = /home/openclaw/.openclaw/agents/main/agent does not exist',
    );
  });

  it('a gateway unit serving another state dir is an error; one serving ours is ok', async () => {
    const h = migratedFixture();
    const unit = path.join(h.home, '.config', 'systemd', 'user', 'openclaw-gateway.service');
    writeTree(path.dirname(unit), {
      'openclaw-gateway.service': `[Service]\nExecStart=/usr/bin/node gateway\nEnvironment="OPENCLAW_STATE_DIR=${h.home}/.openclaw-old" OPENCLAW_GATEWAY_PORT=18789\n`,
    });
    const bad = await run(h);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(
      `error state-dir: gateway service ${unit} serves ${h.home}/.openclaw-old, but this tool uses ${h.stateDir} (from the default)`,
    );
    fs.writeFileSync(unit, `[Service]\nEnvironment=OPENCLAW_STATE_DIR=%h/.openclaw\n`);
    const good = await run(h);
    expect(good.stdout).toContain(`ok    state-dir: gateway service ${unit} serves ${h.stateDir}, as this tool does`);
  });

  it('a launchd gateway plist for another profile than ours is caught', async () => {
    const h = migratedFixture();
    const plist = path.join(h.home, 'Library', 'LaunchAgents', 'ai.openclaw.gateway.plist');
    writeTree(path.dirname(plist), {
      'ai.openclaw.gateway.plist': `<?xml version="1.0"?>\n<plist version="1.0"><dict><key>Label</key><string>ai.openclaw.gateway</string><key>EnvironmentVariables</key><dict><key>OPENCLAW_PROFILE</key><string>work</string></dict></dict></plist>\n`,
    });
    const result = await run(h);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `error state-dir: gateway service ${plist} serves ${h.home}/.openclaw-work, but this tool uses ${h.stateDir}`,
    );
  });

  it('our backup unit pointing at another state dir is an error', async () => {
    const h = migratedFixture();
    const xdg = path.join(h.home, 'xdg');
    writeTree(path.join(xdg, 'systemd', 'user'), {
      'openclaw-backup.service': '[Service]\nEnvironment=OPENCLAW_STATE_DIR=/srv/elsewhere\n',
    });
    const result = await run(h, [], { XDG_CONFIG_HOME: xdg });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `error state-dir: backup service ${xdg}/systemd/user/openclaw-backup.service serves /srv/elsewhere, but this tool uses ${h.stateDir}`,
    );
  });

  it('loose modes are errors/warnings and --fix tightens them', async () => {
    const h = migratedFixture();
    fs.chmodSync(h.stateDir, 0o755);
    fs.chmodSync(h.config, 0o644);
    fs.chmodSync(path.join(h.stateDir, 'state', 'openclaw.sqlite'), 0o664);
    writeTree(path.join(h.stateDir, 'backups'), { 'openclaw-backup-default-20260101T000000Z.tar.gz': 'x' });
    fs.chmodSync(path.join(h.stateDir, 'backups'), 0o755);
    fs.chmodSync(path.join(h.stateDir, 'backups', 'openclaw-backup-default-20260101T000000Z.tar.gz'), 0o644);
    const result = await run(h);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`warn  permissions: state dir ${h.stateDir}: mode 0755, want 0700`);
    expect(result.stdout).toContain(`error permissions: secret file ${h.config}: mode 0644, want 0600`);
    expect(result.stdout).toContain(`error permissions: secret file ${h.stateDir}/state/openclaw.sqlite: mode 0664, want 0600`);
    expect(result.stdout).toContain(`warn  permissions: backups dir ${h.stateDir}/backups: mode 0755, want 0700`);
    expect(result.stdout).toContain('error permissions: archive');
    const fixed = await run(h, ['--fix']);
    expect(fixed.stdout).toContain(`fixed: chmod 0600 ${h.config}`);
    expect(fixed.stdout).toContain(`fixed: chmod 0700 ${h.stateDir}`);
    expect(fs.statSync(h.stateDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(h.config).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(h.stateDir, 'state', 'openclaw.sqlite')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(h.stateDir, 'backups')).mode & 0o777).toBe(0o700);
    expect(fixed.stdout).toMatch(/^ok +permissions/m);
    expect((await run(h)).stdout).toMatch(/^ok +permissions: ownership and modes are tight/m);
  });

  it.runIf(process.getuid?.() === 0)('files owned by someone else are errors and --fix (as root) chowns them back', async () => {
    const h = migratedFixture();
    const cred = path.join(h.stateDir, 'config-journal-fingerprint.key');
    fs.chownSync(cred, 65534, 65534);
    const result = await run(h);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`error permissions: secret file ${cred}: owned by uid 65534, not you (uid 0)`);
    const fixed = await run(h, ['--fix']);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain(`fixed: chown 0:0 ${cred}`);
    expect(fs.statSync(cred).uid).toBe(0);
  });

  it('an invalid backup block is an error naming the key (exit 1)', async () => {
    const h = migratedFixture();
    setPluginBlock(h, { retention: -1 });
    const result = await run(h);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^error backup-block: plugins\.entries\["openclaw-backup"\]\.config\.retention: expected a positive integer/m,
    );
  });

  it('a misspelt component in include is caught when the config loads: doctor exit 1, status exit 2, both naming the key', async () => {
    const h = migratedFixture();
    setPluginBlock(h, { include: ['config', 'sesions'] });
    const key = 'plugins.entries["openclaw-backup"].config.include[1]: unknown component "sesions" (did you mean "sessions"?)';
    const doctor = await run(h);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(`error backup-block: ${key}`);
    const status = await callCli(['status'], { env: h.env });
    expect(status.code).toBe(2);
    expect(status.stderr).toBe(
      `openclaw-backup: ${key}; valid components: config, credentials, sessions, memory, workspace, logs, cache, state (or a glob such as "workspace/**/*.md")\n`,
    );
  });

  it('a top-level backup block is a warning that names the plugin location', async () => {
    const h = migratedFixture();
    editConfig(h, (config) => {
      config.backup = { auto: false };
    });
    const result = await run(h);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('warn  backup-block: backup block found at top-level "backup"');
    expect(result.stdout).toContain('fix: move it to plugins.entries["openclaw-backup"].config');
  });

  it('postBackup with a group-writable config is an error; --fix makes it owner-only', async () => {
    const h = migratedFixture();
    setPluginBlock(h, { postBackup: 'rclone copy "$OPENCLAW_BACKUP_ARCHIVE" remote:claw' });
    fs.chmodSync(h.config, 0o664);
    const result = await run(h);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `error post-backup: postBackup is set but ${h.config} is writable by its group (mode 0664): anyone who can change the config can run commands as you; the daemon will not run the hook`,
    );
    const fixed = await run(h, ['--fix']);
    expect(fixed.code).toBe(0);
    expect(fs.statSync(h.config).mode & 0o777).toBe(0o600);
    expect(fixed.stdout).toMatch(/^ok +post-backup: postBackup is set and .* is writable only by you/m);
  });

  it('postBackup with a group-writable state dir names chmod go-w of that dir; --fix repairs the chain', async () => {
    const h = migratedFixture();
    setPluginBlock(h, { postBackup: 'true' });
    fs.chmodSync(h.stateDir, 0o770);
    fs.chmodSync(h.home, 0o775);
    const result = await run(h);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `error post-backup: postBackup is set but ${h.stateDir} (a parent of the config) is writable by its group (mode 0770)`,
    );
    expect(result.stdout).toContain(`fix: chmod go-w ${h.stateDir}, or: openclaw-backup doctor --fix`);
    expect(result.stdout).not.toContain(`chmod 600 ${h.config}`);
    const fixed = await run(h, ['--fix']);
    expect(fs.statSync(h.stateDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(h.home).mode & 0o777).toBe(0o755);
    expect(fixed.stdout).toMatch(/^ok +post-backup: postBackup is set and .* \(and every directory above it\) is writable only by you/m);
  });

  it('stale locks of dead processes (ours and OpenClaw session locks) are errors and --fix removes them', async () => {
    const h = migratedFixture();
    const pid = deadPid();
    const ours = path.join(h.stateDir, 'openclaw-backup.lock');
    writeTree(ours, {
      'owner.json': JSON.stringify({ pid, hostname: os.hostname(), command: 'openclaw-backup create', since: new Date().toISOString() }),
    });
    const sessions = path.join(h.stateDir, 'agents', 'main', 'sessions');
    writeTree(sessions, {
      'sessions.json.lock': JSON.stringify({ pid, createdAt: new Date().toISOString() }),
      'abc.jsonl.lock': JSON.stringify({ pid, createdAt: new Date().toISOString() }),
      'live.jsonl.lock': JSON.stringify({ pid: process.pid, createdAt: new Date().toISOString() }),
    });
    const result = await run(h);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`error locks: stale lock ${ours}: owner pid ${pid} (openclaw-backup create) is not running`);
    expect(result.stdout).toContain(`error locks: stale lock ${sessions}/sessions.json.lock: owner pid ${pid} is not running`);
    expect(result.stdout).toContain(`error locks: stale lock ${sessions}/abc.jsonl.lock`);
    expect(result.stdout).not.toContain('live.jsonl.lock');
    const fixed = await run(h, ['--fix']);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain(`fixed: removed ${ours}`);
    expect(fs.existsSync(ours)).toBe(false);
    expect(fs.readdirSync(sessions)).toEqual(['live.jsonl.lock']);
  });

  it('a last success older than 14 days (manual) or two scheduled runs (auto) is an error', async () => {
    const h = migratedFixture();
    const old = new Date(Date.now() - 20 * 86_400_000).toISOString();
    const run1 = lastRun({ finishedAt: old, trigger: 'manual', bytes: 1000 });
    writeStatus(h, { lastSuccess: run1, lastRun: run1 });
    const manual = await run(h);
    expect(manual.code).toBe(1);
    expect(manual.stdout).toMatch(/^error freshness: last successful backup was 20\.0 days ago \(.*\), older than 14 days/m);
    const recent = new Date(Date.now() - 3 * 86_400_000).toISOString();
    writeStatus(h, { lastSuccess: { ...run1, finishedAt: recent } });
    setPluginBlock(h, { auto: true, schedule: '0 3 * * *' });
    const auto = await run(h);
    expect(auto.stdout).toMatch(
      /^error freshness: last successful backup was 3\.0 days ago .*older than two runs of schedule "0 3 \* \* \*"/m,
    );
  });

  it('auto with no running daemon is an error; a live daemon pid is ok', async () => {
    const h = migratedFixture();
    setPluginBlock(h, { auto: true });
    writeStatus(h, { daemon: { pid: deadPid(), startedAt: new Date().toISOString() } });
    const dead = await run(h);
    expect(dead.code).toBe(1);
    expect(dead.stdout).toMatch(/^error daemon: auto is true but no daemon is running for .* \(last seen as pid \d+/m);
    writeStatus(h, { daemon: { pid: process.pid, startedAt: new Date().toISOString() } });
    expect((await run(h)).stdout).toContain(`ok    daemon: daemon running (pid ${process.pid})`);
  });

  it('less free space than the last archive is an error', async () => {
    const h = migratedFixture();
    const now = new Date().toISOString();
    const huge = lastRun({ finishedAt: now, trigger: 'manual', bytes: 2 ** 50 });
    writeStatus(h, { lastSuccess: huge });
    const result = await run(h);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^error disk-space: .* free at .*; the last archive was 1024\.0 TiB: the next backup will not fit/m);
  });
});

describe('doctor verifies the newest archive', () => {
  let h: Home;
  let archive: string;
  beforeAll(async () => {
    h = migratedFixture();
    const created = await callCli(['create', '--json'], { env: h.env });
    expect(created.stderr).not.toMatch(/error/i);
    archive = JSON.parse(created.stdout).archive;
  }, 180_000);

  it('a good newest archive is ok; a corrupted one is an error', async () => {
    const good = await run(h);
    expect(good.stdout).toContain(`ok    newest-archive: newest archive ${archive} verifies`);
    const bytes = fs.readFileSync(archive);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    fs.writeFileSync(archive, bytes);
    const bad = await run(h);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`error newest-archive: newest archive ${archive} fails verify:`);
  });
});
