import fs from 'node:fs';
import path from 'node:path';
import { parse as parseXmlPlist } from 'plist';
import { describe, expect, it } from 'vitest';
import { parsePlist } from '../../../src/core/doctor/read-plist.js';
import {
  renderLaunchdFor,
  renderSystemdFor,
  shippedLaunchdPlist,
  shippedSystemdUnit,
  type ServiceTarget,
} from '../../../src/service/service-spec.js';
import { CLI, makeTempDir, REPO_ROOT } from '../../helpers/fixture.js';
import { verifyUnit } from '../../helpers/systemd.js';
import { NODE_FLAGS } from '../../../src/core/node-flags.js';

const SHIPPED_UNITS = ['systemd/openclaw-backup.service', 'systemd/openclaw-backup@.service'];
const SHIPPED_PLIST = 'launchd/ai.openclaw.backup.plist';

function target(overrides: Partial<ServiceTarget> = {}): ServiceTarget {
  return {
    profile: 'default',
    stateDir: '/home/alice/.openclaw',
    backupDir: '/home/alice/.openclaw/backups',
    nodePath: process.execPath,
    cliPath: CLI,
    home: '/home/alice',
    searchPath: '/usr/local/bin:/usr/bin:/bin',
    ...overrides,
  };
}

const GENERATED: Record<string, ServiceTarget> = {
  'openclaw-backup.service': target(),
  'openclaw-backup@work.service': target({
    profile: 'work',
    stateDir: '/home/alice/.openclaw-work',
    backupDir: '/mnt/nas/claw backups',
    configPath: '/etc/claw/100%.json',
  }),
};

function unitKeys(unit: string): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const line of unit.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0 || line.startsWith('#')) continue;
    keys.set(line.slice(0, eq), [...(keys.get(line.slice(0, eq)) ?? []), line.slice(eq + 1)]);
  }
  return keys;
}

function expectServicePolicy(unit: string): void {
  const keys = unitKeys(unit);
  const one = (key: string) => keys.get(key)?.join(' ');
  expect(one('Type')).toBe('simple');
  expect(one('Restart')).toBe('on-failure');
  expect(one('RestartPreventExitStatus')).toBe('78');
  expect(one('WantedBy')).toBe('default.target');
  expect(one('After')).toBe('network-online.target');
  expect(one('Wants')).toBe('network-online.target');
  expect(Number(one('Nice'))).toBeGreaterThan(0);
  expect(['idle', 'best-effort']).toContain(one('IOSchedulingClass'));
  expect(one('NoNewPrivileges')).toBe('yes');
  expect(one('PrivateTmp')).toBe('yes');
  expect(one('ProtectSystem')).toBe('strict');
  expect(one('ReadWritePaths')).toContain('.config/rclone');
  // The hook must reach the network: nothing may cut it off.
  expect(keys.has('PrivateNetwork')).toBe(false);
  expect(keys.has('IPAddressDeny')).toBe(false);
  expect(one('RestrictAddressFamilies')).toContain('AF_INET6');
  expect(keys.has('MemoryDenyWriteExecute')).toBe(false); // Node's JIT needs W+X pages
  // Found under a real systemd 252 (npm run test:systemd): PrivateDevices= fails a user unit with 218/CAPABILITIES,
  // and a start limit of 5 made the fifth `systemctl --user restart` in 10 minutes fail. A crash loop is still stopped.
  expect(keys.has('PrivateDevices')).toBe(false);
  expect(Number(one('StartLimitBurst'))).toBeGreaterThanOrEqual(12);
  expect(Number(one('StartLimitBurst')) * Number(one('RestartSec'))).toBeLessThan(Number(one('StartLimitIntervalSec')));
}

describe('shipped and generated systemd units', () => {
  it('the shipped units are exactly what the renderer produces', () => {
    expect(fs.readFileSync(path.join(REPO_ROOT, SHIPPED_UNITS[0] as string), 'utf8')).toBe(shippedSystemdUnit(false));
    expect(fs.readFileSync(path.join(REPO_ROOT, SHIPPED_UNITS[1] as string), 'utf8')).toBe(shippedSystemdUnit(true));
  });

  it.each(SHIPPED_UNITS)('%s passes systemd-analyze verify and has the service policy', (rel) => {
    const file = path.join(REPO_ROOT, rel);
    const verified = rel.includes('@') ? verifyUnit(file, 'openclaw-backup@work.service') : verifyUnit(file);
    expect(verified).toEqual({ code: 0, output: '' });
    expectServicePolicy(fs.readFileSync(file, 'utf8'));
  });

  it('the shipped units say how to allow a backup.path outside the state dir; an installed unit allows it itself', () => {
    for (const template of [false, true])
      expect(shippedSystemdUnit(template)).toContain(
        '# A backup.path or a local repository outside the state dir is read-only here (ProtectSystem=strict)',
      );
    const unit = renderSystemdFor(target({ backupDir: '/mnt/nas/openclaw' }));
    expect(unit).toMatch(/^ReadWritePaths=-\/home\/alice\/\.openclaw -\/mnt\/nas\/openclaw /m);
  });

  it('the template serves ~/.openclaw-<instance>', () => {
    const unit = shippedSystemdUnit(true);
    expect(unit).toContain('ExecStart=/usr/bin/env openclaw-backup daemon --state-dir %h/.openclaw-%i --profile %i');
    expect(unit).toContain('Environment=OPENCLAW_PROFILE=%i');
    expect(unit).toContain('ReadWritePaths=-%h/.openclaw-%i');
  });

  it.each(Object.keys(GENERATED))('generated %s passes systemd-analyze verify with absolute Node and CLI paths', (name) => {
    const dir = makeTempDir('ocb-unit-');
    const file = path.join(dir, name);
    const unit = renderSystemdFor(GENERATED[name] as ServiceTarget);
    fs.writeFileSync(file, unit);
    expect(verifyUnit(file)).toEqual({ code: 0, output: '' });
    expectServicePolicy(unit);
    expect(unit).toContain(`ExecStart=${process.execPath} ${NODE_FLAGS.join(' ')} ${CLI} daemon --state-dir`);
  });

  it('escapes specifiers, spaces and $ in generated values', () => {
    const unit = renderSystemdFor(GENERATED['openclaw-backup@work.service'] as ServiceTarget);
    expect(unit).toContain('--profile work --config /etc/claw/100%%.json');
    expect(unit).toContain('Environment=OPENCLAW_CONFIG_PATH=/etc/claw/100%%.json');
    expect(unit).toContain('"-/mnt/nas/claw backups"');
    const dollar = renderSystemdFor(target({ stateDir: '/home/a/$HOME dir' }));
    expect(dollar).toContain('"/home/a/$$HOME dir"');
    expect(() => renderSystemdFor(target({ stateDir: '/home/a/x\ny' }))).toThrow(/line break/);
  });

  it('a unit with a broken ExecStart fails verification (the check can fail)', () => {
    const dir = makeTempDir('ocb-unit-');
    const file = path.join(dir, 'openclaw-backup.service');
    fs.writeFileSync(file, renderSystemdFor(target({ nodePath: '/nonexistent/node' })));
    expect(verifyUnit(file).code).not.toBe(0);
  });
});

function expectPlistPolicy(text: string, label: string): Record<string, unknown> {
  const parsed = parseXmlPlist(text) as Record<string, unknown>;
  expect(parsed.Label).toBe(label);
  expect(parsed.RunAtLoad).toBe(true);
  expect(parsed.KeepAlive).toBeTruthy();
  expect(parsed.ProcessType).toBe('Background');
  expect(parsed.LowPriorityIO).toBe(true);
  expect(typeof parsed.StandardOutPath).toBe('string');
  expect(typeof parsed.StandardErrorPath).toBe('string');
  const env = parsed.EnvironmentVariables as Record<string, string>;
  expect(env.OPENCLAW_STATE_DIR).toMatch(/^\//);
  // Our own reader (used by doctor) reads the same structure as an independent parser.
  expect(parsePlist(text)).toEqual(parsed);
  return parsed;
}

describe('launchd property lists', () => {
  it('the shipped plist is what the renderer produces and parses with the launchd keys', () => {
    const text = fs.readFileSync(path.join(REPO_ROOT, SHIPPED_PLIST), 'utf8');
    expect(text).toBe(shippedLaunchdPlist());
    expectPlistPolicy(text, 'ai.openclaw.backup');
  });

  it('generated plists use absolute paths, the per-profile label and escape XML', () => {
    const parsed = expectPlistPolicy(
      renderLaunchdFor(target({ profile: 'work', stateDir: '/Users/a&b/.openclaw-work', home: '/Users/a&b' })),
      'ai.openclaw.backup.work',
    );
    expect(parsed.ProgramArguments).toEqual([
      process.execPath,
      ...NODE_FLAGS,
      CLI,
      'daemon',
      '--state-dir',
      '/Users/a&b/.openclaw-work',
      '--profile',
      'work',
    ]);
    expect((parsed.EnvironmentVariables as Record<string, string>).OPENCLAW_PROFILE).toBe('work');
    // Not in the state dir's logs/, which is backed up: the daemon's log would end up in every archive.
    expect(parsed.StandardOutPath).toBe('/Users/a&b/Library/Logs/ai.openclaw.backup.work.out.log');
    expect(parsed.StandardErrorPath).toBe('/Users/a&b/Library/Logs/ai.openclaw.backup.work.err.log');
  });

  it('the shipped plist logs to ~/Library/Logs, outside the backed-up state dir', () => {
    const parsed = parseXmlPlist(shippedLaunchdPlist()) as Record<string, string>;
    expect(parsed.StandardOutPath).toBe('/Users/USERNAME/Library/Logs/ai.openclaw.backup.out.log');
    expect(parsed.StandardErrorPath?.startsWith('/Users/USERNAME/.openclaw')).toBe(false);
  });

  it('our plist reader reads CDATA sections and skips comments, as the plist package does', () => {
    const text = `<?xml version="1.0"?>\n<!-- written by hand -->\n<plist version="1.0"><dict><key>EnvironmentVariables</key><dict><key>OPENCLAW_STATE_DIR</key><string><![CDATA[/Users/a&b/<x>/.openclaw]]></string><!-- <key>no</key> --><key>HOME</key><string>/Users/a&amp;b</string></dict></dict></plist>\n`;
    expect(parsePlist(text)).toEqual(parseXmlPlist(text));
    expect(parsePlist(text)).toEqual({ EnvironmentVariables: { OPENCLAW_STATE_DIR: '/Users/a&b/<x>/.openclaw', HOME: '/Users/a&b' } });
  });

  it('our plist reader rejects malformed input', () => {
    expect(() => parsePlist('<plist><dict><key>A</key></dict></plist>')).toThrow(/plist/);
    expect(() => parsePlist('<dict></dict>')).toThrow(/plist/);
  });
});
