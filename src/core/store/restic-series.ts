import { readStateIdentity } from '../identity/identity-file.js';
import type { ResticRepository } from './restic-repository.js';
import {
  inSeries,
  legacyTreeOf,
  listOurSnapshots,
  matchesSelector,
  profileOf,
  stateIdOf,
  summarizeStates,
  tagIntoSeries,
  type ResticSnapshot,
  type SeriesScope,
} from './restic-snapshots.js';
import type { ListingScope, ListOptions, SeriesSelector } from './types.js';

/** The state a listing is for (its state dir need not exist: a new machine has none yet). */
export interface SeriesOwner {
  stateDir: string;
  profile: string;
  hostname: string;
  backupsDir: string;
}

export interface SeriesListOptions extends ListOptions {
  profileChosen?: boolean | undefined;
  adopt?: boolean | undefined;
}

const chosen = (select: SeriesSelector | undefined): SeriesSelector | undefined =>
  select && (select.stateId || select.hostname || select.profile) ? select : undefined;

/**
 * The snapshots a command sees, newest first. Normally this state's series: the snapshots tagged with its id, and
 * its own from before ids (this host, profile and mirror path), tagged into the series by commands that write (in
 * memory only when the repository will not take it). Reading commands (`browse`) see every state's snapshots when
 * this state has none in the repository (a new machine), or those --host/--state-id/--profile choose.
 */
export async function listSeries(
  repo: ResticRepository,
  owner: SeriesOwner,
  options: SeriesListOptions,
  signal?: AbortSignal,
): Promise<{ snapshots: ResticSnapshot[]; scope: ListingScope }> {
  let all = await listOurSnapshots(repo, signal);
  const select = options.browse ? chosen(options.select) : undefined;
  if (select) {
    const picked = all.filter((snapshot) => matchesSelector(snapshot, select));
    return { snapshots: picked, scope: { kind: 'repository', why: 'selected', states: summarizeStates(picked) } };
  }
  const scope: SeriesScope = {
    stateId: (await readStateIdentity(owner.stateDir))?.stateId,
    profile: owner.profile,
    hostname: owner.hostname,
    legacyTree: legacyTreeOf(owner.backupsDir),
  };
  let mine = all.filter((snapshot) => inSeries(snapshot, scope));
  const legacy = mine.filter((snapshot) => stateIdOf(snapshot) === undefined);
  if (options.adopt && scope.stateId && legacy.length > 0 && (await tagIntoSeries(repo, legacy, scope.stateId, signal))) {
    all = await listOurSnapshots(repo, signal);
    mine = all.filter((snapshot) => inSeries(snapshot, scope));
  }
  if (mine.length === 0 && options.browse) {
    const shown = options.profileChosen ? all.filter((snapshot) => profileOf(snapshot) === owner.profile) : all;
    return { snapshots: shown, scope: { kind: 'repository', why: 'no-series', states: summarizeStates(shown) } };
  }
  return { snapshots: mine, scope: { kind: 'state', stateId: scope.stateId } };
}
