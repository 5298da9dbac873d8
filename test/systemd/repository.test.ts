import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFact } from './harness/facts.js';
import { Machine } from './harness/machine.js';
import { installFixture, writeBackupBlock } from './harness/openclaw-state.js';
import { poll } from './harness/poll.js';
import { daemonLines, HOME, mustSucceed, type DaemonLine, type UserSession } from './harness/user-session.js';

/**
 * Issue 25 item 7: the installed unit (ProtectSystem=strict) backs up into a local repository outside the state dir,
 * the README's own /srv/restic/openclaw, with restic's cache in ~/.cache/restic. A repository the sandbox was not
 * told about fails with a line that names the sandbox; `service install` again makes it writable.
 *
 * systemd 253 and later imply PrivateUsers= in a user unit that asks for a sandbox, and only then apply it
 * (systemd PR 25233); the container's systemd 252 ignores it silently. A drop-in turns it on as 253 does, and drops
 * ProtectKernelLogs= (nspawn has no /proc/kmsg to hide, so the namespace setup would fail): the rest is the unit
 * `service install` wrote.
 */
const UNIT = 'openclaw-backup.service';
const AS_SYSTEMD_253 = '[Service]\nPrivateUsers=yes\nProtectKernelLogs=no\n';
const PASSWORD_FILE = `${HOME}/.config/openclaw-backup/restic-password`;
let machine: Machine;

beforeAll(async () => {
  // With PrivateUsers= on, PrivateTmp= gives the unit a /tmp of its own: a checkout under /tmp is bound elsewhere
  // in the container (harness/checkout.ts), or the unit would find no node for ExecStart.
  machine = await Machine.start();
});
afterAll(async () => {
  await machine?.dispose();
});

async function snapshotsIn(user: UserSession, repo: string): Promise<{ short_id: string }[]> {
  const result = await user.run(['restic', '--no-cache', 'snapshots', '--json'], 120_000, {
    RESTIC_REPOSITORY: repo,
    RESTIC_PASSWORD_FILE: PASSWORD_FILE,
  });
  if (result.code !== 0) throw new Error(`restic snapshots in ${repo}: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as { short_id: string }[];
}

async function lines(user: UserSession): Promise<DaemonLine[]> {
  return daemonLines((await user.journal([UNIT])).filter((entry) => entry.transport === 'stdout'));
}

async function waitForLine(user: UserSession, what: string, from: number, match: (line: DaemonLine) => boolean): Promise<DaemonLine> {
  return poll(async () => (await lines(user)).slice(from).find(match), {
    timeoutMs: 120_000,
    explain: async () =>
      `no ${what}; since then: ${JSON.stringify((await lines(user)).slice(from).map((l) => [l.msg, l.error ?? l.why ?? l.issues ?? '']))}\n${await user.describeUnit(UNIT)}`,
  });
}

describe('service install with a local restic repository, under the real sandbox', () => {
  it('backs up into /srv/restic/openclaw with restic’s cache; a repository outside the sandbox names it; install again fixes it', async () => {
    const { user, container } = machine;
    await mustSucceed(
      container.exec(['sh', '-c', 'mkdir -p /srv/restic/openclaw /srv/restic/other && chown -R openclaw: /srv/restic']),
      'make /srv/restic',
    );
    await mustSucceed(user.run(['mkdir', '-p', `${HOME}/.config/openclaw-backup`]), 'mkdir ~/.config/openclaw-backup');
    user.writeFile(PASSWORD_FILE, 'correct horse battery staple\n');
    const repository = { passwordFile: '~/.config/openclaw-backup/restic-password' };
    const block = { auto: true, schedule: '*/3 * * * * *', retention: 3 };
    const stateDir = await installFixture(user, { ...block, repository: { url: '/srv/restic/openclaw', ...repository } });
    for (const repo of ['/srv/restic/openclaw', '/srv/restic/other']) {
      const init = await user.run(['restic', '--no-cache', 'init'], 120_000, {
        RESTIC_REPOSITORY: repo,
        RESTIC_PASSWORD_FILE: PASSWORD_FILE,
      });
      expect(init.code, init.stderr).toBe(0);
    }

    await mustSucceed(user.run(['mkdir', '-p', `${HOME}/.config/systemd/user/${UNIT}.d`]), 'mkdir drop-in dir');
    user.writeFile(`${HOME}/.config/systemd/user/${UNIT}.d/as-systemd-253.conf`, AS_SYSTEMD_253, 0o644);
    const install = await user.cli(['service', 'install']);
    expect(install.code, install.stderr).toBe(0);
    expect(install.stderr).toBe('');
    // The sandbox is in force: the daemon has its own mount namespace.
    const pid = await poll(
      async () => {
        const main = (await user.show(UNIT, ['MainPID'])).MainPID;
        return main && main !== '0' ? main : undefined;
      },
      { timeoutMs: 60_000, explain: async () => `no main process:\n${await user.describeUnit(UNIT)}` },
    );
    const namespaces = await container.exec(['readlink', `/proc/${pid}/ns/mnt`, '/proc/1/ns/mnt']);
    const [daemonNs, initNs] = namespaces.stdout.trim().split('\n');
    expect(daemonNs).toMatch(/^mnt:/);
    expect(daemonNs).not.toBe(initNs);
    const unit = fs.readFileSync(user.hostPath(`${HOME}/.config/systemd/user/${UNIT}`), 'utf8');
    expect(unit).toMatch(/^ReadWritePaths=.* -\/srv\/restic\/openclaw /m);

    const snapshots = await poll(
      async () => {
        const found = await snapshotsIn(user, '/srv/restic/openclaw');
        return found.length >= 2 ? found : undefined;
      },
      { timeoutMs: 180_000, explain: async () => `fewer than 2 snapshots:\n${await user.describeUnit(UNIT)}` },
    );
    const first = await lines(user);
    expect(first.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);
    expect(first.filter((line) => line.msg === 'backup finished').every((line) => line.result === 'ok')).toBe(true);
    // restic kept its cache where the unit lets it write (CacheDirectory=restic): no "unable to open cache" warning.
    expect(fs.readdirSync(user.hostPath(`${HOME}/.cache/restic`)).length).toBeGreaterThan(0);
    expect(first.some((line) => /unable to open cache/.test(JSON.stringify(line)))).toBe(false);

    // The config now names a repository the installed unit was not told about: the daemon reloads it and fails
    // each run with a line that points at the sandbox.
    const before = first.length;
    writeBackupBlock(user, stateDir, { ...block, repository: { url: '/srv/restic/other', ...repository } });
    const refused = await waitForLine(user, 'failed backup', before, (line) => line.msg === 'backup failed');
    expect(String(refused.error)).toMatch(/\/srv\/restic\/other is read-only .*read-only file system/);
    expect(String(refused.error)).toContain(
      `the service ${UNIT} runs sandboxed (ProtectSystem=strict) and writes only its ReadWritePaths: run \`openclaw-backup service install\` again`,
    );
    expect(await snapshotsIn(user, '/srv/restic/other')).toEqual([]);

    const again = await user.cli(['service', 'install']);
    expect(again.code, again.stderr).toBe(0);
    const restarted = (await lines(user)).length;
    await waitForLine(user, 'successful backup after install', restarted, (line) => line.msg === 'backup finished' && line.result === 'ok');
    expect((await snapshotsIn(user, '/srv/restic/other')).length).toBeGreaterThan(0);
    recordFact(
      'repository',
      `${snapshots.length}+ snapshots into /srv/restic/openclaw under ProtectSystem=strict; /srv/restic/other refused naming the sandbox until service install ran again`,
    );
  });
});
