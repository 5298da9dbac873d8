import fs from 'node:fs';
import path from 'node:path';
import { parse as parseXmlPlist } from 'plist';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../src/core/run-command.js';
import { installTimer, uninstallTimer } from '../../src/service/install-timer.js';
import { resolveServiceTarget } from '../../src/service/target.js';
import { CLI, makeTempDir, runCli } from '../helpers/fixture.js';
import { verifyUnit } from '../helpers/systemd.js';

interface Sandbox {
  home: string;
  units: string;
  log: string;
  env: NodeJS.ProcessEnv;
}

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

/** A home whose config sets `block`, XDG_CONFIG_HOME elsewhere, and stub systemctl/loginctl that log their calls. */
function sandbox(block: Record<string, unknown>, profile = 'default'): Sandbox {
  const root = makeTempDir('ocb-timer-');
  roots.push(root);
  const home = path.join(root, 'home');
  const stateDir = path.join(home, profile === 'default' ? '.openclaw' : `.openclaw-${profile}`);
  const bin = path.join(root, 'bin');
  const log = path.join(root, 'calls.log');
  fs.mkdirSync(stateDir, { recursive: true });
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(stateDir, 'openclaw.json'),
    JSON.stringify({ plugins: { entries: { 'openclaw-backup': { config: block } } } }),
    { mode: 0o600 },
  );
  for (const [name, body] of Object.entries({ systemctl: 'exit 0', loginctl: 'echo yes' })) {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\n`, { mode: 0o755 });
  }
  return {
    home,
    units: path.join(root, 'xdg', 'systemd', 'user'),
    log,
    env: { HOME: home, XDG_CONFIG_HOME: path.join(root, 'xdg'), PATH: `${bin}:/usr/bin:/bin` },
  };
}

const calls = (box: Sandbox) => (fs.existsSync(box.log) ? fs.readFileSync(box.log, 'utf8').trim().split('\n') : []);

describe('service install --timer (systemd)', () => {
  it('writes openclaw-backup-run.service + .timer from the schedule, enables the timer; uninstall removes both', async () => {
    const box = sandbox({ schedule: '30 3 * * *', timezone: 'Europe/Berlin', metricsFile: '~/textfile/openclaw-backup.prom' });
    const result = await runCli(['service', 'install', '--timer'], { env: box.env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const service = path.join(box.units, 'openclaw-backup-run.service');
    const timer = path.join(box.units, 'openclaw-backup-run.timer');
    expect(result.stdout).toContain(`Wrote ${service}\nWrote ${timer}\n`);
    expect(calls(box).slice(0, 2)).toEqual(['systemctl --user daemon-reload', 'systemctl --user enable --now openclaw-backup-run.timer']);
    expect(verifyUnit(service)).toEqual({ code: 0, output: '' });
    expect(verifyUnit(timer)).toEqual({ code: 0, output: '' });
    const unit = fs.readFileSync(service, 'utf8');
    expect(unit).toContain(
      `ExecStart=${fs.realpathSync(process.execPath)} ${fs.realpathSync(CLI)} run --state-dir ${box.home}/.openclaw\n`,
    );
    expect(unit).toMatch(new RegExp(`^ReadWritePaths=.* -${box.home}/textfile `, 'm'));
    expect(fs.readFileSync(timer, 'utf8')).toContain(
      '\nOnCalendar=*-*-* 03:30:00 Europe/Berlin\nPersistent=true\nRandomizedDelaySec=300\nUnit=openclaw-backup-run.service\n',
    );
    expect(fs.existsSync(path.join(box.units, 'openclaw-backup.service'))).toBe(false);

    const again = await runCli(['service', 'install', '--timer'], { env: box.env });
    expect(again.stdout).toContain(`Replaced ${timer}`);
    expect(calls(box)).toContain('systemctl --user restart openclaw-backup-run.timer');

    expect((await runCli(['doctor'], { env: box.env })).stdout).toMatch(
      /^ok +timer: \S+openclaw-backup-run\.timer runs on backup\.schedule "30 3 \* \* \*" in Europe\/Berlin$/m,
    );
    const config = path.join(box.home, '.openclaw', 'openclaw.json');
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('30 3 * * *', '0 5 * * *'));
    const stale = await runCli(['doctor'], { env: box.env });
    expect(stale.stdout).toContain(
      `warn  timer: ${timer} was made from backup.schedule "30 3 * * *" in Europe/Berlin, but the config now says "0 5 * * *" in Europe/Berlin: the timer still runs on the old one`,
    );
    expect(stale.stdout).toContain('fix: openclaw-backup service install --timer');

    const removed = await runCli(['service', 'uninstall'], { env: box.env });
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(`Removed ${service}\nRemoved ${timer}\n`);
    expect(calls(box).slice(-3)).toEqual([
      'systemctl --user disable --now openclaw-backup-run.timer',
      'systemctl --user stop openclaw-backup-run.service',
      'systemctl --user daemon-reload',
    ]);
    expect(fs.readdirSync(box.units)).toEqual([]);
    expect((await runCli(['service', 'uninstall'], { env: box.env })).stdout).toContain('Not installed');
  });

  it('a profile gets its own instance names; uninstall --timer leaves the daemon unit alone', async () => {
    const box = sandbox({ schedule: '0 */6 * * *' }, 'work');
    expect((await runCli(['--profile', 'work', 'service', 'install'], { env: box.env })).code).toBe(0);
    const installed = await runCli(['--profile', 'work', 'service', 'install', '--timer'], { env: box.env });
    expect(installed.code, installed.stderr).toBe(0);
    expect(fs.readdirSync(box.units).sort()).toEqual([
      'openclaw-backup-run@work.service',
      'openclaw-backup-run@work.timer',
      'openclaw-backup@work.service',
    ]);
    const timer = fs.readFileSync(path.join(box.units, 'openclaw-backup-run@work.timer'), 'utf8');
    expect(timer).toContain('\nOnCalendar=*-*-* 00/6:00:00\n');
    expect(timer).toContain('\nUnit=openclaw-backup-run@work.service\n');
    expect(fs.readFileSync(path.join(box.units, 'openclaw-backup-run@work.service'), 'utf8')).toContain(' run --state-dir ');
    const removed = await runCli(['--profile', 'work', 'service', 'uninstall', '--timer'], { env: box.env });
    expect(removed.code).toBe(0);
    expect(fs.readdirSync(box.units)).toEqual(['openclaw-backup@work.service']);
  });

  it('a schedule systemd cannot express is refused with exit 2 and nothing written', async () => {
    const box = sandbox({ schedule: '0 3 15W * *' });
    const result = await runCli(['service', 'install', '--timer'], { env: box.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'openclaw-backup: backup.schedule "0 3 15W * *": W (the nearest weekday) has no systemd or launchd equivalent; use the daemon instead (service install without --timer), or change the schedule\n',
    );
    expect(fs.existsSync(box.units)).toBe(false);
    expect(calls(box)).toEqual([]);
  });

  it('--dry-run prints both units and the commands, writes nothing; a foreign timer file is never replaced', async () => {
    const box = sandbox({ schedule: '0 4 * * 1-5' });
    const dry = await runCli(['service', 'install', '--timer', '--dry-run'], { env: box.env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`Would write ${box.units}/openclaw-backup-run.timer:\n\n`);
    expect(dry.stdout).toContain('OnCalendar=Mon..Fri *-*-* 04:00:00');
    expect(dry.stdout).toContain(
      'Would run:\n  systemctl --user daemon-reload\n  systemctl --user enable --now openclaw-backup-run.timer\n',
    );
    expect(fs.existsSync(box.units)).toBe(false);
    fs.mkdirSync(box.units, { recursive: true });
    fs.writeFileSync(path.join(box.units, 'openclaw-backup-run.timer'), '[Timer]\nOnCalendar=daily\n');
    const refused = await runCli(['service', 'install', '--timer'], { env: box.env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('openclaw-backup-run.timer exists and was not written by openclaw-backup');
    expect(fs.readFileSync(path.join(box.units, 'openclaw-backup-run.timer'), 'utf8')).toBe('[Timer]\nOnCalendar=daily\n');
  });
});

describe('service install --timer (launchd, fake launchctl)', () => {
  it('writes a StartCalendarInterval plist, bootstraps it, and uninstall boots it out', async () => {
    const root = makeTempDir('ocb-timer-');
    roots.push(root);
    const seen: string[] = [];
    const run: CommandRunner = async (file, args) => {
      seen.push(`${file} ${args.join(' ')}`);
      return { code: 0, stdout: '', stderr: '', missing: false };
    };
    const context = { manager: 'launchd' as const, env: {}, home: root, uid: 501 };
    const { target } = resolveServiceTarget({
      paths: {
        home: root,
        stateDir: path.join(root, '.openclaw'),
        configPath: path.join(root, '.openclaw', 'openclaw.json'),
        profile: 'default',
        source: 'flag',
      },
      backupDir: path.join(root, 'b'),
      env: { HOME: root },
      nodePath: process.execPath,
      cliPath: CLI,
    });
    const result = await installTimer({ context, target, schedule: { schedule: '15 2 * * 0' }, run, dryRun: false });
    const plist = path.join(root, 'Library', 'LaunchAgents', 'ai.openclaw.backup-run.plist');
    expect(result.plan.files.map((f) => f.file)).toEqual([plist]);
    const parsed = parseXmlPlist(fs.readFileSync(plist, 'utf8')) as Record<string, unknown>;
    expect(parsed.StartCalendarInterval).toEqual([{ Minute: 15, Hour: 2, Weekday: 0 }]);
    expect(seen).toEqual([`launchctl bootstrap gui/501 ${plist}`, 'launchctl enable gui/501/ai.openclaw.backup-run']);
    const removed = await uninstallTimer({ context, profile: 'default', run, dryRun: false });
    expect(removed.installed).toBe(true);
    expect(seen.at(-1)).toBe('launchctl bootout gui/501/ai.openclaw.backup-run');
    expect(fs.existsSync(plist)).toBe(false);
  });
});
