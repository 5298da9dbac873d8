import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { installService } from '../../src/service/install.js';
import type { CommandRunner } from '../../src/core/run-command.js';
import { renderLaunchdFor } from '../../src/service/service-spec.js';
import { uninstallService } from '../../src/service/uninstall.js';
import { CLI, makeTempDir, REPO_ROOT, runCli, writeTree } from '../helpers/fixture.js';
import { verifyUnit } from '../helpers/systemd.js';
import { lastRun, writeStatusRecord } from '../helpers/status.js';
import { NODE_FLAGS } from '../../src/core/node-flags.js';

interface Sandbox {
  home: string;
  xdg: string;
  bin: string;
  log: string;
  env: NodeJS.ProcessEnv;
}

/** A home with a state dir, XDG_CONFIG_HOME elsewhere, and a PATH of only stub tools (or none). */
function sandbox(stubs: Record<string, string> = {}): Sandbox {
  const root = makeTempDir('ocb-service-');
  const home = path.join(root, 'home');
  const xdg = path.join(root, 'xdg');
  const bin = path.join(root, 'bin');
  const log = path.join(root, 'calls.log');
  writeTree(home, { '.openclaw/openclaw.json': '{}', '.openclaw-work/openclaw.json': '{}' });
  fs.mkdirSync(bin, { recursive: true });
  for (const [name, body] of Object.entries(stubs)) {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\n`, { mode: 0o755 });
  }
  return { home, xdg, bin, log, env: { HOME: home, XDG_CONFIG_HOME: xdg, PATH: bin } };
}

const calls = (box: Sandbox) => (fs.existsSync(box.log) ? fs.readFileSync(box.log, 'utf8').trim().split('\n') : []);

describe('service install / uninstall / status (systemd)', () => {
  it('writes the unit under XDG_CONFIG_HOME with absolute paths, enables it, and reminds about lingering', async () => {
    const box = sandbox({ systemctl: 'exit 0', loginctl: 'echo no' });
    const result = await runCli(['service', 'install'], { env: box.env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const unitPath = path.join(box.xdg, 'systemd', 'user', 'openclaw-backup.service');
    expect(result.stdout).toContain(`Wrote ${unitPath}`);
    expect(result.stdout).toContain('Ran: systemctl --user enable --now openclaw-backup.service');
    expect(result.stdout).toMatch(/Lingering is off.*\n\s+sudo loginctl enable-linger \S+/);
    expect(calls(box).slice(0, 2)).toEqual(['systemctl --user daemon-reload', 'systemctl --user enable --now openclaw-backup.service']);
    const unit = fs.readFileSync(unitPath, 'utf8');
    expect(unit).toContain(
      `ExecStart=${fs.realpathSync(process.execPath)} ${NODE_FLAGS.join(' ')} ${fs.realpathSync(CLI)} daemon --state-dir ${box.home}/.openclaw`,
    );
    expect(unit).toContain(`Environment=OPENCLAW_STATE_DIR=${box.home}/.openclaw`);
    expect(verifyUnit(unitPath)).toEqual({ code: 0, output: '' });
    // The way in on OpenClaw's side is the plugin: service install says how, until OpenClaw has a copy.
    expect(result.stdout).toContain(`openclaw plugins install ${REPO_ROOT} --force --accept-capabilities`);
    writeTree(box.home, {
      '.openclaw/extensions/openclaw-backup/openclaw.plugin.json': JSON.stringify({
        id: 'openclaw-backup',
        configSchema: { type: 'object' },
      }),
    });
    const again = await runCli(['service', 'install'], { env: box.env });
    expect(again.stdout).toContain(`OpenClaw plugin: copied to ${box.home}/.openclaw/extensions/openclaw-backup`);
    expect(again.stdout).not.toContain('openclaw plugins install');
  });

  it.each([
    ['Linger=no', 'echo Linger=no', /Lingering is off.*\n\s+sudo loginctl enable-linger \S+/],
    ['an answer it cannot read', 'echo maybe', /Could not tell whether lingering is on.*\n\s+sudo loginctl enable-linger \S+/],
    [
      'a failing loginctl',
      'echo "Failed to get user: No such user" >&2; exit 1',
      /Could not tell whether lingering is on.*\n\s+sudo loginctl enable-linger \S+/,
    ],
  ])('reminds about lingering when loginctl prints %s', async (_what, loginctl, reminder) => {
    const box = sandbox({ systemctl: 'exit 0', loginctl });
    const result = await runCli(['service', 'install'], { env: box.env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(reminder);
  });

  it('says nothing about lingering when it is on, in either form', async () => {
    for (const answer of ['yes', 'Linger=yes']) {
      const box = sandbox({ systemctl: 'exit 0', loginctl: `echo ${answer}` });
      const result = await runCli(['service', 'install'], { env: box.env });
      expect(result.stdout).not.toMatch(/linger/i);
    }
  });

  it("writes a minimal PATH, not the installing shell's, and makes a custom backup.path writable in the sandbox", async () => {
    const box = sandbox({ systemctl: 'exit 0', loginctl: 'echo yes' });
    const nas = path.join(box.home, 'nas');
    fs.mkdirSync(nas);
    fs.writeFileSync(path.join(box.home, '.openclaw', 'openclaw.json'), JSON.stringify({ backup: { path: path.join(nas, 'openclaw') } }));
    const shellPath = [
      box.bin,
      path.join(box.home, '.cargo', 'bin'),
      path.join(box.home, '.npm', '_npx', 'abc', 'node_modules', '.bin'),
    ].join(':');
    const result = await runCli(['service', 'install'], { env: { ...box.env, PATH: shellPath } });
    expect(result.code, result.stderr).toBe(0);
    const unit = fs.readFileSync(path.join(box.xdg, 'systemd', 'user', 'openclaw-backup.service'), 'utf8');
    const nodeDir = path.dirname(fs.realpathSync(process.execPath));
    expect(unit).toContain(
      `Environment=PATH=${[nodeDir, '/usr/local/bin', '/usr/bin', '/bin'].filter((d, i, all) => all.indexOf(d) === i).join(':')}\n`,
    );
    expect(unit).not.toContain('.cargo');
    expect(unit).toMatch(new RegExp(`^ReadWritePaths=.* -${path.join(nas, 'openclaw')} `, 'm'));
    // Made now: systemd skips a missing "-" path, and the sandbox would then refuse to create it.
    expect(fs.statSync(path.join(nas, 'openclaw')).mode & 0o777).toBe(0o700);
  });

  it("makes a local repository and restic's and our caches writable in the sandbox; a missing repository is a warning", async () => {
    const box = sandbox({ systemctl: 'exit 0', loginctl: 'echo yes' });
    const repo = path.join(box.home, 'srv', 'restic', 'openclaw');
    const resticCache = path.join(box.home, 'restic-cache');
    const passwordFile = path.join(box.home, 'pw');
    fs.writeFileSync(passwordFile, 'pw\n', { mode: 0o600 });
    fs.writeFileSync(
      path.join(box.home, '.openclaw', 'openclaw.json'),
      JSON.stringify({ backup: { repository: { url: repo, passwordFile } } }),
    );
    const unitFile = path.join(box.xdg, 'systemd', 'user', 'openclaw-backup.service');
    const missing = await runCli(['service', 'install'], { env: box.env });
    expect(missing.code, missing.stderr).toBe(0);
    expect(missing.stderr).toContain(
      `warning: the repository ${repo} does not exist yet, and the service's sandbox cannot create it: run \`openclaw-backup repository init\`, then service install again`,
    );
    fs.mkdirSync(repo, { recursive: true });
    const result = await runCli(['service', 'install'], { env: { ...box.env, RESTIC_CACHE_DIR: resticCache } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const unit = fs.readFileSync(unitFile, 'utf8');
    expect(unit).toMatch(new RegExp(`^ReadWritePaths=.* -${repo} -${resticCache} `, 'm'));
    // ~/.cache/restic and ~/.cache/openclaw-backup: systemd creates them and opens them in the sandbox.
    expect(unit).toContain('\nCacheDirectory=restic openclaw-backup\nCacheDirectoryMode=0700\n');
    expect(unit).toContain(`\nEnvironment=RESTIC_CACHE_DIR=${resticCache}\n`);
    expect(unit).toContain('\nEnvironment=OPENCLAW_BACKUP_UNIT=%n\n');
    expect(fs.statSync(resticCache).mode & 0o777).toBe(0o700);
    expect(verifyUnit(unitFile)).toEqual({ code: 0, output: '' });
  });

  it("warns when the program lives in npm's cache (as under npx), before writing the unit", async () => {
    const box = sandbox({ systemctl: 'exit 0', loginctl: 'echo yes' });
    // npx sets npm_config_cache; here it names the dir the CLI runs from.
    const result = await runCli(['service', 'install', '--dry-run'], { env: { ...box.env, npm_config_cache: REPO_ROOT } });
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n')[0]).toBe(
      `warning: ${fs.realpathSync(CLI)} is in npm's cache (npx), which npm may delete, and the service would then fail to start; install it from a checkout (npm pack, then npm i -g ./openclaw-backup-<version>.tgz: README, Install) and run service install again`,
    );
  });

  it('installs a profile as openclaw-backup@<profile> and restarts on reinstall', async () => {
    const box = sandbox({ systemctl: 'exit 0', loginctl: 'echo yes' });
    expect((await runCli(['--profile', 'work', 'service', 'install'], { env: box.env })).code).toBe(0);
    const again = await runCli(['service', 'install', '--profile', 'work'], { env: box.env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Replaced');
    expect(again.stdout).not.toContain('Lingering');
    expect(calls(box)).toContain('systemctl --user restart openclaw-backup@work.service');
    const unitPath = path.join(box.xdg, 'systemd', 'user', 'openclaw-backup@work.service');
    expect(fs.readFileSync(unitPath, 'utf8')).toContain('--profile work');
    expect(verifyUnit(unitPath)).toEqual({ code: 0, output: '' });
  });

  it('without systemctl it writes the unit, says so, and prints the commands to run', async () => {
    const box = sandbox();
    const result = await runCli(['service', 'install'], { env: box.env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'systemctl --user is not available here (systemctl not found on PATH). The service is not started; run these where it is:',
    );
    expect(result.stdout).toContain('  systemctl --user enable --now openclaw-backup.service');
    expect(fs.existsSync(path.join(box.xdg, 'systemd', 'user', 'openclaw-backup.service'))).toBe(true);
  });

  it('says so when the user bus is unreachable (a container)', async () => {
    const box = sandbox({ systemctl: 'echo "Failed to connect to bus: No medium found" >&2; exit 1' });
    const result = await runCli(['service', 'install'], { env: box.env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('systemctl --user is not usable here (Failed to connect to bus: No medium found)');
  });

  it('a failing systemctl is a failure (exit 1) naming the command', async () => {
    const box = sandbox({ systemctl: 'case "$*" in *enable*) echo "Unit file is masked." >&2; exit 1;; esac' });
    const result = await runCli(['service', 'install'], { env: box.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('openclaw-backup: systemctl --user enable --now openclaw-backup.service failed: Unit file is masked.');
  });

  it('--dry-run prints the unit and the commands and writes nothing', async () => {
    const box = sandbox({ systemctl: 'exit 0' });
    const result = await runCli(['service', 'install', '--dry-run'], { env: box.env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[Service]\nType=simple');
    expect(result.stdout).toContain(
      'Would run:\n  systemctl --user daemon-reload\n  systemctl --user enable --now openclaw-backup.service',
    );
    expect(fs.existsSync(box.xdg)).toBe(false);
    expect(calls(box)).toEqual([]);
  });

  it('uninstall removes only what install wrote', async () => {
    const box = sandbox({ systemctl: 'exit 0', loginctl: 'echo yes' });
    await runCli(['service', 'install'], { env: box.env });
    const unitPath = path.join(box.xdg, 'systemd', 'user', 'openclaw-backup.service');
    const sibling = path.join(box.xdg, 'systemd', 'user', 'other.service');
    fs.writeFileSync(sibling, '[Service]\nExecStart=/bin/true\n');
    const result = await runCli(['service', 'uninstall'], { env: box.env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Removed ${unitPath}`);
    expect(fs.existsSync(unitPath)).toBe(false);
    expect(fs.existsSync(sibling)).toBe(true);
    expect(calls(box).slice(-2)).toEqual(['systemctl --user disable --now openclaw-backup.service', 'systemctl --user daemon-reload']);
    const again = await runCli(['service', 'uninstall'], { env: box.env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Not installed');
  });

  it('refuses to overwrite or remove a unit it did not write (exit 2)', async () => {
    const box = sandbox({ systemctl: 'exit 0' });
    const unitPath = path.join(box.xdg, 'systemd', 'user', 'openclaw-backup.service');
    writeTree(path.dirname(unitPath), { 'openclaw-backup.service': '[Service]\nExecStart=/bin/true\n' });
    const install = await runCli(['service', 'install'], { env: box.env });
    expect(install.code).toBe(2);
    expect(install.stderr).toContain(`${unitPath} exists and was not written by openclaw-backup`);
    const uninstall = await runCli(['service', 'uninstall'], { env: box.env });
    expect(uninstall.code).toBe(2);
    expect(uninstall.stderr).toContain('was not written by openclaw-backup service install; leaving it alone');
    expect(fs.readFileSync(unitPath, 'utf8')).toBe('[Service]\nExecStart=/bin/true\n');
  });

  it('status reports installed, enabled, running and the last backup', async () => {
    const box = sandbox({
      systemctl: 'case "$*" in *show*) printf "UnitFileState=enabled\\nActiveState=active\\nMainPID=4242\\n";; esac; exit 0',
      loginctl: 'echo yes',
    });
    await runCli(['service', 'install'], { env: box.env });
    const finishedAt = new Date(Date.now() - 3_600_000).toISOString();
    const lastSuccess = lastRun({ finishedAt, archive: '/x/a.tar.gz', bytes: 2048 });
    writeStatusRecord(path.join(box.home, '.openclaw'), { lastRun: lastSuccess, lastSuccess });
    const text = await runCli(['service', 'status'], { env: box.env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('enabled:      yes');
    expect(text.stdout).toContain('running:      yes (pid 4242)');
    expect(text.stdout).toMatch(/last backup: +\S+ \(60 min \d+ s ago\) ok: \/x\/a\.tar\.gz, 2\.0 KiB/);
    const json = JSON.parse((await runCli(['service', 'status', '--json'], { env: box.env })).stdout);
    expect(json).toMatchObject({
      manager: 'systemd',
      installed: true,
      foreign: false,
      enabled: true,
      running: true,
      pid: 4242,
      lastSuccess: { bytes: 2048 },
    });
  });

  it('status without systemctl says what is unknown', async () => {
    const box = sandbox();
    const result = await runCli(['service', 'status'], { env: box.env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('installed:    no');
    expect(result.stdout).toContain('running:      unknown');
    expect(result.stdout).toContain('(systemctl --user is not available here');
    expect(result.stdout).toContain('last backup:  none recorded');
  });
});

describe('service install / uninstall (launchd, fake launchctl)', () => {
  it('writes the plist into ~/Library/LaunchAgents, bootstraps it, and uninstall boots it out', async () => {
    const box = sandbox();
    const seen: string[] = [];
    const run: CommandRunner = async (file, args) => {
      seen.push([file, ...args].join(' '));
      return { code: 0, stdout: '', stderr: '', missing: false };
    };
    const stateDir = path.join(box.home, '.openclaw-work');
    const target = {
      profile: 'work',
      stateDir,
      backupDir: path.join(stateDir, 'backups'),
      nodePath: process.execPath,
      cliPath: CLI,
      home: box.home,
      searchPath: '/usr/bin:/bin',
    };
    const context = { manager: 'launchd' as const, env: box.env, home: box.home, uid: 501 };
    const result = await installService({ context, target, run, dryRun: false });
    const plistPath = path.join(box.home, 'Library', 'LaunchAgents', 'ai.openclaw.backup.work.plist');
    expect(result.plan.file).toBe(plistPath);
    expect(fs.readFileSync(plistPath, 'utf8')).toBe(renderLaunchdFor(target));
    expect(fs.statSync(path.join(box.home, 'Library', 'Logs')).isDirectory()).toBe(true);
    expect(fs.existsSync(path.join(stateDir, 'logs'))).toBe(false);
    expect(seen).toEqual([`launchctl bootstrap gui/501 ${plistPath}`, 'launchctl enable gui/501/ai.openclaw.backup.work']);
    const removed = await uninstallService({ context, profile: 'work', run, dryRun: false });
    expect(removed.removed).toBe(true);
    expect(seen.at(-1)).toBe('launchctl bootout gui/501/ai.openclaw.backup.work');
    expect(fs.existsSync(plistPath)).toBe(false);
  });
});
