import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { carryStateIdentity, continueSeries } from '../../../src/core/identity/carry-identity.js';
import { ensureStateIdentity } from '../../../src/core/identity/ensure-identity.js';
import { identityPathFor, readStateIdentity } from '../../../src/core/identity/identity-file.js';
import { makeTempDir } from '../../helpers/fixture.js';

const here = { id: 'aaaaaaaaaaaaaaaa', source: 'machine-id' as const };
const there = { id: 'bbbbbbbbbbbbbbbb', source: 'machine-id' as const };

function stateDir(name = 'state'): string {
  const dir = path.join(makeTempDir('ocb-identity-'), name);
  fs.mkdirSync(dir, { mode: 0o700 });
  return dir;
}

describe('a state id', () => {
  it('is made once, kept private, and the same at every later backup', async () => {
    const dir = stateDir();
    const first = await ensureStateIdentity(dir, { machine: here });
    expect(first.created).toBe(true);
    expect(first.warning).toBeUndefined();
    expect(first.identity.stateId).toMatch(/^[0-9a-f]{16}$/);
    expect(fs.statSync(identityPathFor(dir)).mode & 0o777).toBe(0o600);
    const again = await ensureStateIdentity(dir, { machine: here });
    expect(again).toMatchObject({ created: false, identity: { stateId: first.identity.stateId } });
  });

  it('two first backups racing end up with one id', async () => {
    const dir = stateDir();
    const both = await Promise.all([ensureStateIdentity(dir, { machine: here }), ensureStateIdentity(dir, { machine: here })]);
    expect(both[0].identity.stateId).toBe(both[1].identity.stateId);
    expect((await readStateIdentity(dir))?.stateId).toBe(both[0].identity.stateId);
  });

  it('is re-keyed on another machine (a clone) with a warning naming the way back; kept where no machine id exists', async () => {
    const dir = stateDir();
    const { identity } = await ensureStateIdentity(dir, { machine: here });
    const unknown = await ensureStateIdentity(dir, { machine: null });
    expect(unknown).toMatchObject({ created: false, identity: { stateId: identity.stateId } });
    const cloned = await ensureStateIdentity(dir, { machine: there });
    expect(cloned.created).toBe(true);
    expect(cloned.identity.stateId).not.toBe(identity.stateId);
    expect(cloned.identity.previous).toMatchObject({ stateId: identity.stateId, reason: 'another machine' });
    expect(cloned.warning).toContain(`state-id --continue ${identity.stateId}`);
  });

  it('moves with its dir on one machine, but a copy beside the original gets its own', async () => {
    const dir = stateDir('one');
    const { identity } = await ensureStateIdentity(dir, { machine: here });
    const copy = path.join(path.dirname(dir), 'copy');
    fs.cpSync(dir, copy, { recursive: true });
    const copied = await ensureStateIdentity(copy, { machine: here });
    expect(copied.identity.stateId).not.toBe(identity.stateId);
    expect(copied.warning).toContain('(this dir is a copy)');
    const moved = path.join(path.dirname(dir), 'moved');
    fs.renameSync(dir, moved);
    const kept = await ensureStateIdentity(moved, { machine: here });
    expect(kept).toMatchObject({ created: false, identity: { stateId: identity.stateId, stateDir: moved } });
    expect(kept.warning).toBeUndefined();
  });

  it('an unreadable file starts a new series with a warning', async () => {
    const dir = stateDir();
    fs.writeFileSync(identityPathFor(dir), '{ not json');
    const read = await ensureStateIdentity(dir, { machine: here });
    expect(read.created).toBe(true);
    expect(read.warning).toMatch(/unreadable .*new series/);
  });

  it('a restore carries the backup id, re-homed; a copy of a state living here, or a backup naming none, carries nothing', async () => {
    const live = stateDir('live');
    const { identity } = await ensureStateIdentity(live, { machine: here });
    const target = stateDir('target');
    // A --target copy of the live state's own backup.
    expect(
      await carryStateIdentity({ target, liveStateDir: live, inPlace: false, stateId: identity.stateId, machine: here }),
    ).toBeUndefined();
    expect(await readStateIdentity(target)).toBeUndefined();
    // The same backup restored in place elsewhere while its origin lives on this machine: a copy too.
    const note = await carryStateIdentity({
      target,
      liveStateDir: target,
      inPlace: true,
      stateId: identity.stateId,
      origin: live,
      machine: here,
    });
    expect(note).toContain('is a copy of it');
    expect(await readStateIdentity(target)).toBeUndefined();
    // On another machine (the origin's id file says another machine), the restored state continues the series.
    expect(
      await carryStateIdentity({ target, liveStateDir: target, inPlace: true, stateId: identity.stateId, origin: live, machine: there }),
    ).toBeUndefined();
    expect(await readStateIdentity(target)).toMatchObject({
      stateId: identity.stateId,
      origin: 'restored',
      machine: there.id,
      stateDir: target,
    });
    // A state with an id of its own that restores another series' backup says so.
    const other = stateDir('other');
    const own = await ensureStateIdentity(other, { machine: here });
    const switched = await carryStateIdentity({
      target: other,
      liveStateDir: other,
      inPlace: true,
      stateId: identity.stateId,
      machine: there,
    });
    expect(switched).toContain(`(it was ${own.identity.stateId})`);
    expect(await carryStateIdentity({ target: other, liveStateDir: other, inPlace: true, stateId: undefined })).toBeUndefined();
    expect((await readStateIdentity(other))?.stateId).toBe(identity.stateId);
  });

  it('--continue takes a series over, and refuses what is not an id', async () => {
    const dir = stateDir();
    const { identity } = await ensureStateIdentity(dir, { machine: here });
    const taken = await continueSeries(dir, '0123456789abcdef', { machine: here });
    expect(taken).toMatchObject({ previous: identity.stateId, identity: { stateId: '0123456789abcdef', origin: 'continued' } });
    await expect(continueSeries(dir, 'nope', { machine: here })).rejects.toThrow(/not a state id/);
  });
});
