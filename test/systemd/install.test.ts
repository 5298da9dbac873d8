import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFact } from './harness/facts.js';
import { Machine } from './harness/machine.js';
import { poll } from './harness/poll.js';
import { installFixture, listArchives } from './harness/openclaw-state.js';
import { daemonLines, HOME } from './harness/user-session.js';

const UNIT = 'openclaw-backup.service';
let machine: Machine;

beforeAll(async () => {
  machine = await Machine.start();
});
afterAll(async () => {
  await machine?.dispose();
});

describe('service install under a real systemd user manager', () => {
  it('enables and starts the unit; the daemon backs up every second and logs JSON lines to the journal', async () => {
    const { user } = machine;
    const stateDir = await installFixture(user, { auto: true, schedule: '* * * * * *', retention: 100 });
    const install = await user.cli(['service', 'install']);
    expect(install.stderr).toBe('');
    expect(install.code).toBe(0);
    expect(install.stdout).toContain(`Wrote ${HOME}/.config/systemd/user/${UNIT}`);
    expect(install.stdout).toContain(`Ran: systemctl --user enable --now ${UNIT}`);
    expect(install.stdout).not.toContain('Lingering is off');

    const props = await user.show(UNIT, ['UnitFileState', 'ActiveState', 'SubState', 'MainPID', 'FragmentPath']);
    expect(props).toMatchObject({ UnitFileState: 'enabled', FragmentPath: `${HOME}/.config/systemd/user/${UNIT}` });
    const archives = await poll(
      () => {
        const found = listArchives(user, `${stateDir}/backups`);
        return found.length >= 3 ? found : undefined;
      },
      { timeoutMs: 90_000, explain: async () => `fewer than 3 archives:\n${await user.describeUnit(UNIT)}` },
    );
    const running = await user.show(UNIT, ['ActiveState', 'SubState', 'MainPID', 'NRestarts']);
    expect(running).toMatchObject({ ActiveState: 'active', SubState: 'running', NRestarts: '0' });
    const pid = Number(running.MainPID);

    const entries = await user.journal([UNIT]);
    const ours = entries.filter((entry) => entry.pid === pid && entry.transport === 'stdout');
    expect(ours.length).toBeGreaterThan(0);
    const lines = daemonLines(ours);
    // Every line the daemon wrote is one JSON object (pino), none an error.
    expect(lines).toHaveLength(ours.length);
    expect(lines.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);
    expect(lines.find((line) => line.msg === 'daemon started')).toMatchObject({ stateDir, auto: true, schedule: '* * * * * *' });
    const finished = lines.filter((line) => line.msg === 'backup finished');
    expect(finished.length).toBeGreaterThanOrEqual(2);
    expect(finished.every((line) => line.result === 'ok')).toBe(true);

    const status = await user.cli(['service', 'status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ installed: true, enabled: true, running: true, pid });
    const verify = await user.cli(['verify', `${stateDir}/backups/${archives[0]}`]);
    expect(verify.code, verify.stderr).toBe(0);
    recordFact(
      'install',
      `enabled+active, ${archives.length} archives in the first seconds, ${lines.length} JSON journal lines from pid ${pid}`,
    );
  });
});
