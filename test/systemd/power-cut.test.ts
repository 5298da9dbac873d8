import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countCycles,
  DEFAULT_UNIT as UNIT,
  daemonJournal,
  waitForBackup,
  waitForServing,
  type ServingDaemon,
} from './harness/daemon-unit.js';
import { recordFact } from './harness/facts.js';
import { Machine } from './harness/machine.js';
import { installFixture, listArchives, writeBackupBlock } from './harness/openclaw-state.js';
import { poll } from './harness/poll.js';

/** How far ahead the one daily slot is put: room to cut the power before it, on a slow machine. */
const SLOT_AHEAD_MS = 12_000;
const CAUGHT_UP = 'a scheduled run was missed; catching up once';
let machine: Machine;
let stateDir: string;
let backupDir: string;

beforeAll(async () => {
  machine = await Machine.start();
  stateDir = await installFixture(machine.user, { auto: true, schedule: '* * * * * *', timezone: 'UTC', retention: 1000 });
  backupDir = `${stateDir}/backups`;
});
afterAll(async () => {
  await machine?.dispose();
});

function dailyCron(at: Date): string {
  return `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
}

/**
 * Gives the serving daemon one slot a day, a little ahead, waits until it is idle, cuts the power, stays off while
 * the slot passes, boots again and returns what the daemon of the new boot did.
 */
async function cutAcrossSlot(serving: ServingDaemon): Promise<{ slot: Date; before: string[]; after: ServingDaemon }> {
  const { user } = machine;
  const slot = new Date(Math.ceil((Date.now() + SLOT_AHEAD_MS) / 1000) * 1000);
  const schedule = dailyCron(slot);
  writeBackupBlock(user, stateDir, { auto: true, schedule, timezone: 'UTC', retention: 1000 });
  await poll(
    async () => {
      const lines = await daemonJournal(user, UNIT, serving.pid);
      const reloaded = lines.some((l) => l.msg === 'config reloaded' && l.schedule === schedule);
      const { started, ended } = countCycles(lines);
      const staging = fs.readdirSync(user.hostPath(backupDir)).some((n) => n.startsWith('.openclaw-backup-staging-'));
      return reloaded && started === ended && !staging ? true : undefined;
    },
    { timeoutMs: 60_000, explain: async () => `the daemon did not take the daily schedule and go idle:\n${await user.describeUnit(UNIT)}` },
  );
  const before = listArchives(user, backupDir);
  expect(Date.now(), 'the machine was too slow to cut the power before the slot').toBeLessThan(slot.getTime() - 2000);
  await machine.container.powerCut();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, slot.getTime() + 1500 - Date.now())));
  expect(listArchives(user, backupDir)).toEqual(before);
  await machine.bootAgain();
  return { slot, before, after: await waitForServing(machine.user, UNIT) };
}

/** Exactly one backup, the catch-up, as the new daemon's first act; the next run is the same slot tomorrow. */
async function expectOneCatchUp(slot: Date, before: string[], serving: ServingDaemon): Promise<string> {
  const { user } = machine;
  const finished = await waitForBackup(user, UNIT, serving.pid, () => true);
  expect(finished.result, String(finished.error)).toBe('ok');
  const lines = await daemonJournal(user, UNIT, serving.pid);
  const msgs = lines.map((l) => l.msg);
  expect(lines.filter((l) => l.msg === 'backup started').map((l) => l.trigger)).toEqual(['catch-up']);
  expect(lines.find((l) => l.msg === CAUGHT_UP)?.missed).toBe(slot.toISOString());
  expect(lines.find((l) => l.msg === 'daemon ready')?.catchUp).toBe(true);
  expect(msgs.indexOf('daemon started')).toBeLessThan(msgs.indexOf(CAUGHT_UP));
  expect(msgs.indexOf(CAUGHT_UP)).toBeLessThan(msgs.indexOf('backup started'));
  const added = listArchives(user, backupDir).filter((name) => !before.includes(name));
  expect(added).toHaveLength(1);
  const status = JSON.parse(fs.readFileSync(user.hostPath(`${stateDir}/openclaw-backup-status.json`), 'utf8')) as { nextRunAt: string };
  expect(status.nextRunAt).toBe(new Date(slot.getTime() + 86_400_000).toISOString());
  const verify = await user.cli(['verify', `${backupDir}/${added[0]}`]);
  expect(verify.code, verify.stderr).toBe(0);
  return added[0] as string;
}

describe('power cut', () => {
  it('a slot that passes while the machine is off is caught up exactly once, at start', async () => {
    expect((await machine.user.cli(['service', 'install'])).code).toBe(0);
    const first = await waitForServing(machine.user, UNIT);
    await waitForBackup(machine.user, UNIT, first.pid, (line) => line.result === 'ok');
    const { slot, before, after } = await cutAcrossSlot(first);
    const archive = await expectOneCatchUp(slot, before, after);
    recordFact('power cut', `slot ${slot.toISOString()} passed while off; after boot 1 catch-up backup (${archive}), next run tomorrow`);
  });

  it('again, with the daemon that systemd started at boot (the next boot may give it the same pid)', async () => {
    const booted = await waitForServing(machine.user, UNIT);
    const { slot, before, after } = await cutAcrossSlot(booted);
    await expectOneCatchUp(slot, before, after);
    recordFact('power cut', `second cut: daemon pid ${booted.pid} before, ${after.pid} after; 1 catch-up backup`);
  });
});
