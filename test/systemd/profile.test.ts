import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_UNIT, daemonJournal, unitState, waitForBackup, waitForServing } from './harness/daemon-unit.js';
import { recordFact } from './harness/facts.js';
import { Machine } from './harness/machine.js';
import { installFixture, listArchives } from './harness/openclaw-state.js';
import { HOME } from './harness/user-session.js';

const WORK_UNIT = 'openclaw-backup@work.service';
const UNIT_DIR = `${HOME}/.config/systemd/user`;
let machine: Machine;

beforeAll(async () => {
  machine = await Machine.start();
});
afterAll(async () => {
  await machine?.dispose();
});

describe('service install --profile work', () => {
  it('runs the work instance beside the default one; uninstall removes only its own unit', async () => {
    const { user } = machine;
    const block = { auto: true, schedule: '*/2 * * * * *', retention: 1000 };
    const defaultDir = await installFixture(user, block);
    const workDir = await installFixture(user, block, 'work');
    expect((await user.cli(['service', 'install'])).code).toBe(0);
    const work = await user.cli(['service', 'install', '--profile', 'work']);
    expect(work.code, work.stderr).toBe(0);
    expect(work.stdout).toContain(`Wrote ${UNIT_DIR}/${WORK_UNIT}`);

    const [mainDaemon, workDaemon] = [await waitForServing(user, DEFAULT_UNIT), await waitForServing(user, WORK_UNIT)];
    expect(await user.show(WORK_UNIT, ['UnitFileState', 'ActiveState'])).toEqual({ UnitFileState: 'enabled', ActiveState: 'active' });
    expect((await daemonJournal(user, WORK_UNIT, workDaemon.pid)).find((l) => l.msg === 'daemon started')?.stateDir).toBe(workDir);
    expect((await daemonJournal(user, DEFAULT_UNIT, mainDaemon.pid)).find((l) => l.msg === 'daemon started')?.stateDir).toBe(defaultDir);
    await waitForBackup(user, WORK_UNIT, workDaemon.pid, (l) => l.result === 'ok');
    await waitForBackup(user, DEFAULT_UNIT, mainDaemon.pid, (l) => l.result === 'ok');
    const workArchives = listArchives(user, `${workDir}/backups`);
    expect(workArchives.length).toBeGreaterThan(0);
    expect(workArchives.every((name) => name.startsWith('openclaw-backup-work-'))).toBe(true);
    expect(listArchives(user, `${defaultDir}/backups`).every((name) => name.startsWith('openclaw-backup-default-'))).toBe(true);

    const uninstall = await user.cli(['service', 'uninstall', '--profile', 'work']);
    expect(uninstall.code, uninstall.stderr).toBe(0);
    expect(uninstall.stdout).toContain(`Removed ${UNIT_DIR}/${WORK_UNIT}`);
    expect(fs.existsSync(user.hostPath(`${UNIT_DIR}/${WORK_UNIT}`))).toBe(false);
    expect(await user.show(WORK_UNIT, ['LoadState', 'ActiveState'])).toEqual({ LoadState: 'not-found', ActiveState: 'inactive' });
    // The default unit is untouched: same file, still enabled, the same daemon still serving.
    expect(fs.existsSync(user.hostPath(`${UNIT_DIR}/${DEFAULT_UNIT}`))).toBe(true);
    expect(await unitState(user, DEFAULT_UNIT)).toMatchObject({
      ActiveState: 'active',
      MainPID: String(mainDaemon.pid),
      InvocationID: mainDaemon.invocation,
    });
    expect((await user.show(DEFAULT_UNIT, ['UnitFileState'])).UnitFileState).toBe('enabled');
    expect(fs.readdirSync(user.hostPath(UNIT_DIR)).filter((n) => n.endsWith('.service'))).toEqual([DEFAULT_UNIT]);
    recordFact(
      '--profile work',
      `both instances served (${workArchives.length} work archives); uninstall --profile work left ${DEFAULT_UNIT} running (pid ${mainDaemon.pid})`,
    );
  });
});
