import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CYCLE_END,
  countCycles,
  DEFAULT_UNIT as UNIT,
  daemonJournal,
  waitForBackup,
  waitForServing,
  type ServingDaemon,
} from './harness/daemon-unit.js';
import { recordFact } from './harness/facts.js';
import { Machine } from './harness/machine.js';
import { installFixture, writeBackupBlock } from './harness/openclaw-state.js';
import { poll } from './harness/poll.js';
import { HOME, mustSucceed, type JournalEntry } from './harness/user-session.js';

/** OpenClaw names its gateway's user unit so (src/daemon/constants.ts in 2026.9.x); here a sleep loop stands in. */
const GATEWAY = 'openclaw-gateway.service';
const GATEWAY_UNIT = `[Unit]
Description=OpenClaw Gateway (stand-in: a sleep loop)

[Service]
ExecStart=/bin/sh -c 'while :; do sleep 1; done'

[Install]
WantedBy=default.target
`;
/**
 * Every 5 s, not every second: each cycle stops and starts the gateway, and systemd's default start limit for the
 * gateway's unit (5 starts in 10 s) would otherwise leave it failed (start-limit-hit) after a few cycles.
 */
const BLOCK = { schedule: '*/5 * * * * *', quiesce: 'stop', retention: 1000 };
let machine: Machine;
let stateDir: string;
let serving: ServingDaemon;

beforeAll(async () => {
  machine = await Machine.start();
  const { user } = machine;
  stateDir = await installFixture(user, { ...BLOCK, auto: false });
  await mustSucceed(user.run(['mkdir', '-p', `${HOME}/.config/systemd/user`]), 'mkdir');
  user.writeFile(`${HOME}/.config/systemd/user/${GATEWAY}`, GATEWAY_UNIT, 0o644);
  await mustSucceed(user.systemctl(['daemon-reload']), 'daemon-reload');
  await mustSucceed(user.systemctl(['enable', '--now', GATEWAY]), `enable --now ${GATEWAY}`);
  await mustSucceed(user.cli(['service', 'install']), 'service install');
  serving = await waitForServing(user, UNIT);
});
afterAll(async () => {
  await machine?.dispose();
});

function index(entries: JournalEntry[], test: (e: JournalEntry) => boolean, from = 0, what = ''): number {
  const at = entries.findIndex((e, i) => i >= from && test(e));
  if (at < 0)
    throw new Error(
      `journal: no ${what} after entry ${from}:\n${entries
        .slice(from)
        .map((e) => e.message)
        .join('\n')}`,
    );
  return at;
}

/** Turns auto on until one backup of the daemon finished (result accepted), then off again; returns that line. */
async function oneCycle(accept: (result: unknown) => boolean): Promise<{ entries: JournalEntry[]; start: number }> {
  const { user } = machine;
  const seen = (await user.journal([UNIT, GATEWAY])).length;
  writeBackupBlock(user, stateDir, { ...BLOCK, auto: true });
  await waitForBackup(user, UNIT, serving.pid, (line) => accept(line.result), 90_000).catch(async (error: Error) => {
    throw new Error(`${error.message}\n${await user.describeUnit(GATEWAY)}`);
  });
  writeBackupBlock(user, stateDir, { ...BLOCK, auto: false });
  // Idle again: the reload to auto:false has been taken and no backup is running.
  await poll(
    async () => {
      const lines = await daemonJournal(user, UNIT, serving.pid);
      const off = lines.map((l) => l.msg === 'config reloaded' && l.auto === false).lastIndexOf(true);
      const { started, ended } = countCycles(lines);
      return off >= 0 && off > lines.map((l) => l.msg === 'config reloaded' && l.auto === true).lastIndexOf(true) && started === ended
        ? true
        : undefined;
    },
    { timeoutMs: 60_000, explain: async () => `the daemon did not go idle:\n${await user.describeUnit(UNIT)}` },
  );
  return { entries: await user.journal([UNIT, GATEWAY]), start: seen };
}

/**
 * In the journal's own order, for the first cycle after `start`: we log that we stop the gateway, systemd stops it,
 * (the snapshot phase), systemd starts it, we log that it runs again, then the backup finishes with `result`.
 */
function expectStoppedAroundSnapshot(entries: JournalEntry[], start: number, result: string): void {
  const ours = (msg: string) => (e: JournalEntry) => e.transport === 'stdout' && e.message.includes(`"msg":"${msg}"`);
  const manager = (text: string) => (e: JournalEntry) => e.transport !== 'stdout' && e.message.startsWith(text);
  const stopping = index(entries, ours('stopping the gateway for the snapshot'), start, 'stopping line');
  const stopped = index(entries, manager('Stopped openclaw-gateway.service'), stopping, 'Stopped');
  const started = index(entries, manager('Started openclaw-gateway.service'), stopped, 'Started');
  const again = index(entries, ours('gateway started again'), started, '"gateway started again"');
  const finished = index(
    entries,
    (e) => e.transport === 'stdout' && CYCLE_END.has((JSON.parse(e.message) as { msg: string }).msg),
    again,
    'end of the backup',
  );
  expect(JSON.parse(entries[finished]!.message).result).toBe(result);
  // Between stop and start, nothing else of the gateway: it stayed down through the snapshot phase.
  expect(entries.slice(stopped + 1, started).filter(manager('Start'))).toEqual([]);
}

describe('quiesce: "stop" with a gateway user unit', () => {
  it('stops the gateway for the snapshot phase and starts it again afterwards', async () => {
    const { user } = machine;
    const before = await user.show(GATEWAY, ['ActiveState', 'InvocationID']);
    expect(before.ActiveState).toBe('active');
    const { entries, start } = await oneCycle((result) => result === 'ok');
    expectStoppedAroundSnapshot(entries, start, 'ok');
    const after = await user.show(GATEWAY, ['ActiveState', 'SubState', 'InvocationID']);
    expect(after).toMatchObject({ ActiveState: 'active', SubState: 'running' });
    expect(after.InvocationID).not.toBe(before.InvocationID);
    recordFact('quiesce stop', 'gateway unit stopped before the snapshot, started after it (journal order), running after the backup');
  });

  it('starts the gateway again when the snapshot fails, and it stays running', async () => {
    const { user } = machine;
    // A database that cannot be copied (an SQLite header, then garbage): the snapshot phase throws.
    const broken = `${stateDir}/agents/main/agent/broken.sqlite`;
    user.writeFile(broken, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(8192, 0xa5)]));
    const before = await user.show(GATEWAY, ['InvocationID']);
    const { entries, start } = await oneCycle((result) => result === 'failed');
    expectStoppedAroundSnapshot(entries, start, 'failed');
    const failed = (await daemonJournal(user, UNIT, serving.pid)).filter((l) => CYCLE_END.has(l.msg) && l.result === 'failed');
    expect(String(failed[0]?.error)).toContain('broken.sqlite');
    const after = await user.show(GATEWAY, ['ActiveState', 'SubState', 'InvocationID', 'NRestarts']);
    expect(after).toMatchObject({ ActiveState: 'active', SubState: 'running' });
    expect(after.InvocationID).not.toBe(before.InvocationID);
    expect((await user.show(UNIT, ['ActiveState', 'MainPID'])).MainPID).toBe(String(serving.pid));
    recordFact('quiesce stop', `failed snapshot (${String(failed[0]?.error).slice(0, 60)}…): gateway started again and running`);
  });
});
