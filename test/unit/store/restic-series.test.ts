import { describe, expect, it } from 'vitest';
import {
  inSeries,
  isLegacyOf,
  legacyTreeOf,
  matchesSelector,
  seriesTags,
  summarizeStates,
  toStoredBackup,
  type ResticSnapshot,
  type SeriesScope,
} from '../../../src/core/store/restic-snapshots.js';
import { setAsideFuture } from '../../../src/core/store/suspect.js';
import type { ResticRepository } from '../../../src/core/store/restic-repository.js';

const repo = { location: '/r' } as ResticRepository;
const scope: SeriesScope = { stateId: '1111111111111111', profile: 'default', hostname: 'box', legacyTree: legacyTreeOf('/s/backups') };

function snap(id: string, fields: Partial<ResticSnapshot> = {}): ResticSnapshot {
  return { id: id.padEnd(64, '0'), short_id: id.slice(0, 8), time: '2026-01-01T00:00:00Z', paths: ['/x'], hostname: 'box', ...fields };
}

describe('series of snapshots', () => {
  it('are tagged with the state id and scoped by it, never by host; pre-id ones by host, profile and mirror path', () => {
    expect(seriesTags({ stateId: scope.stateId as string, profile: 'work' })).toEqual([
      'openclaw-backup',
      'state:1111111111111111',
      'profile:work',
    ]);
    expect(legacyTreeOf('/s/backups')).toBe('/s/backups/.openclaw-backup-mirror/openclaw-backup');
    const tagged = snap('a', { tags: ['openclaw-backup', 'state:1111111111111111'], hostname: 'renamed' });
    const other = snap('b', { tags: ['openclaw-backup', 'state:2222222222222222', 'profile:default'] });
    const legacy = snap('c', { tags: ['openclaw-backup', 'profile:default'], paths: [scope.legacyTree] });
    expect([tagged, other, legacy].map((s) => inSeries(s, scope))).toEqual([true, false, true]);
    expect(isLegacyOf({ ...legacy, hostname: 'elsewhere' }, scope)).toBe(false);
    expect(isLegacyOf({ ...legacy, paths: ['/t/backups/.openclaw-backup-mirror/openclaw-backup'] }, scope)).toBe(false);
    expect(isLegacyOf({ ...legacy, tags: ['openclaw-backup', 'profile:work'] }, scope)).toBe(false);
    expect(matchesSelector(other, { stateId: '2222' })).toBe(true);
    expect(matchesSelector(other, { hostname: 'box', profile: 'work' })).toBe(false);
    expect(summarizeStates([tagged, other, legacy]).map((s) => s.stateId)).toEqual(['1111111111111111', '2222222222222222', null]);
  });

  it('a snapshot without components or size tags is not an encrypted empty one', () => {
    const bare = toStoredBackup(snap('d', { tags: ['openclaw-backup'] }), repo);
    expect(bare).toMatchObject({ components: null, bytes: 0, sizeUnknown: true, profile: 'unknown', recognisedBy: 'tags' });
    const full = toStoredBackup(snap('e', { tags: ['openclaw-backup', 'components:config+workspace', 'bytes:42'] }), repo);
    expect(full).toMatchObject({ components: ['config', 'workspace'], bytes: 42 });
    expect(full.sizeUnknown).toBeUndefined();
  });

  it('a backup dated beyond five minutes from now is set aside as suspect', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const at = (iso: string) => toStoredBackup(snap(iso.slice(11, 19).replace(/:/g, ''), { time: iso }), repo);
    const { archives, suspect } = setAsideFuture([at('2026-01-01T00:04:00Z'), at('2026-01-01T00:06:00Z'), at('2025-12-31T00:00:00Z')], now);
    expect(archives).toHaveLength(2);
    expect(suspect).toMatchObject([{ suspect: 'dated 2026-01-01T00:06:00.000Z, in the future' }]);
  });
});
