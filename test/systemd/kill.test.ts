import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_UNIT as UNIT, daemonJournal, unitState, waitForBackup, waitForServing } from './harness/daemon-unit.js';
import { recordFact } from './harness/facts.js';
import { Machine } from './harness/machine.js';
import { installFixture } from './harness/openclaw-state.js';
import { poll } from './harness/poll.js';
import { NODE, type DaemonLine } from './harness/user-session.js';
import { CONTAINER_CLI } from './harness/checkout.js';

let machine: Machine;
let stateDir: string;

beforeAll(async () => {
  machine = await Machine.start();
  stateDir = await installFixture(machine.user, { auto: true, schedule: '*/2 * * * * *', retention: 1000 });
  const install = await machine.user.cli(['service', 'install']);
  if (install.code !== 0) throw new Error(`service install failed: ${install.stdout}${install.stderr}`);
});
afterAll(async () => {
  await machine?.dispose();
});

describe('a killed daemon and a second daemon', () => {
  it('kill -9: systemd restarts the daemon (Restart=on-failure), which backs up again', async () => {
    const { user } = machine;
    const first = await waitForServing(user, UNIT);
    await waitForBackup(user, UNIT, first.pid, (line) => line.result === 'ok');
    const kill = await user.kill(first.pid, 'KILL');
    expect(kill.code, kill.stderr).toBe(0);
    // RestartSec=30: the new daemon comes after half a minute.
    const second = await waitForServing(user, UNIT, { notPid: first.pid, timeoutMs: 120_000 });
    expect(await unitState(user, UNIT)).toMatchObject({ ActiveState: 'active', NRestarts: '1' });
    const manager = (await user.journal([UNIT])).filter((e) => e.transport !== 'stdout').map((e) => e.message);
    expect(manager).toContain('openclaw-backup.service: Main process exited, code=killed, status=9/KILL');
    expect(manager.some((m) => /Scheduled restart job, restart counter is at 1/.test(m))).toBe(true);
    await waitForBackup(user, UNIT, second.pid, (line) => line.result === 'ok');
    const restartS = (second.ready.monotonic - (await user.journal([UNIT])).find((e) => /code=killed/.test(e.message))!.monotonic) / 1e6;
    recordFact('kill -9', `restarted by systemd after ${restartS.toFixed(1)} s (RestartSec=30), NRestarts=1, backing up again`);
  });

  it('a second daemon started by hand exits 78 naming the first; the unit is untouched', async () => {
    const { user } = machine;
    const serving = await waitForServing(user, UNIT);
    const before = await unitState(user, UNIT);
    const second = await user.cli(['daemon'], 60_000);
    expect(second.code).toBe(78);
    expect(second.stderr).toContain(`another daemon already serves ${stateDir}: pid ${serving.pid}`);
    expect(await unitState(user, UNIT)).toMatchObject({
      ActiveState: 'active',
      MainPID: String(serving.pid),
      NRestarts: before.NRestarts,
      InvocationID: before.InvocationID,
    });
  });

  it('when a hand-started daemon already serves the state dir, the unit exits 78 and systemd does not restart it', async () => {
    const { user } = machine;
    expect((await user.systemctl(['stop', UNIT])).code).toBe(0);
    const hand = user.container.spawn([NODE, CONTAINER_CLI, 'daemon'], { user: 'openclaw', env: user.env() });
    let handOut = '';
    hand.stdout?.on('data', (d: Buffer) => (handOut += d.toString('utf8')));
    hand.stderr?.on('data', (d: Buffer) => (handOut += d.toString('utf8')));
    const handPid = await poll(
      () =>
        handOut
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as DaemonLine)
          .find((l) => l.msg === 'daemon ready')?.pid,
      { timeoutMs: 60_000, explain: () => `the hand-started daemon never became ready:\n${handOut}` },
    );
    try {
      expect((await user.systemctl(['start', UNIT])).code).toBe(0);
      const failed = await poll(
        async () => {
          const state = await unitState(user, UNIT);
          return state.ActiveState === 'failed' || state.SubState === 'auto-restart' ? state : undefined;
        },
        { timeoutMs: 60_000, explain: async () => `the unit neither failed nor scheduled a restart:\n${await user.describeUnit(UNIT)}` },
      );
      // "failed", not "auto-restart": RestartPreventExitStatus=78 keeps systemd from looping on it (a manual start
      // resets NRestarts, so 0 means no automatic restart since).
      expect(failed).toMatchObject({
        ActiveState: 'failed',
        SubState: 'failed',
        Result: 'exit-code',
        ExecMainStatus: '78',
        NRestarts: '0',
      });
      const lines = await daemonJournal(user, UNIT);
      expect(lines.filter((l) => l.pid === handPid)).toEqual([]);
      const text = (await user.journal([UNIT])).map((e) => e.message);
      expect(text.some((m) => m.includes(`another daemon already serves ${stateDir}: pid ${handPid}`))).toBe(true);
    } finally {
      await user.kill(handPid, 'TERM');
    }
    expect(
      await poll(() => (hand.exitCode !== null ? hand.exitCode : undefined), {
        timeoutMs: 60_000,
        explain: () => `the hand-started daemon did not stop:\n${handOut}`,
      }),
    ).toBe(0);
    expect((await user.systemctl(['start', UNIT])).code).toBe(0);
    await waitForServing(user, UNIT);
    recordFact(
      'second daemon',
      'by hand beside the unit: exit 78 naming its pid; the unit beside a hand-started one: exit 78, state failed (no auto-restart)',
    );
  });
});
