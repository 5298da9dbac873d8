import { chmodSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Component } from '../components.js';
import { integrityErrorFor, summarize, type VerifyResult } from '../verify/verify-archive.js';
import { scanArchive, type ScanResult, type ScannedEntry } from '../verify/scan-archive.js';
import { guessStateDirFromConfig } from './guess-origin.js';
import { chmodNoFollow, isPrivateFile } from './permissions.js';
import { pathMappings, placeRoots, type PlaceRootsOptions, type PlacedRoot } from './place-roots.js';
import { rewriteConfigPaths, type PathRewrite } from './rewrite-config.js';
import { componentOf, describeOrigin, displayPathOf, rootOf, type ArchiveOrigin } from './roots.js';
import { selectsEntry, type RestoreSelection } from './selection.js';
import { StagingWriter } from './extract.js';
import { readStagedText, writeStagedText } from './staged-files.js';
import { isConfigCandidate, MAX_CAPTURED, MAX_CONFIG_BYTES } from '../verify/capture-config.js';
import type { DecryptionKey } from '../crypto/keys.js';
import { LOCK_NAME } from '../lock.js';
import { labelOf, type ArchiveInput } from '../archive/source.js';
import type { ProgressReporter } from '../progress.js';

export interface RestorePlan {
  origin: ArchiveOrigin;
  roots: PlacedRoot[];
  /** Entries to restore, with their root and component. */
  selected: ScannedEntry[];
  componentOf: (entry: ScannedEntry) => Component | undefined;
}

/** Hand-made archives can hold runtime scratch, our lock and the backups dir; those never come back. */
function isRuntimeOnly(inner: string): boolean {
  const top = inner.split('/')[0];
  return top === 'tmp' || top === 'backups' || top === LOCK_NAME;
}

export function planRestore(
  scan: ScanResult,
  place: PlaceRootsOptions,
  only: RestoreSelection | undefined,
  guessStateDir?: string,
): RestorePlan {
  const origin = describeOrigin(scan, () => guessStateDir);
  const roots = placeRoots(origin, place);
  // Our manifest's components were recorded on each entry as it streamed (match-manifest.ts).
  const component = (entry: ScannedEntry) => entry.component ?? componentOf(roots, entry);
  const selected: ScannedEntry[] = [];
  const picks = only && selectsEntry(only);
  for (const entry of scan.entries.values()) {
    const found = rootOf(roots, entry.rel);
    if (!found) continue;
    if (found.root.role === 'state' && isRuntimeOnly(found.inner)) continue;
    if (picks && entry.kind !== 'directory' && !picks(component(entry), displayPathOf(roots, entry.rel))) continue;
    selected.push(entry);
  }
  return { origin, roots, selected, componentOf: component };
}

export interface StageResult {
  plan: RestorePlan;
  rewrites: PathRewrite[];
  privateFiles: number;
  written: Set<string>;
  /** The verdict of the one pass (always ok: a failed one throws). */
  verify: VerifyResult;
  /** What the pass read: the entries, header and manifest. */
  scan: ScanResult;
}

/**
 * The one pass over the archive: every entry is checked by the entry guard, written into the staging dir and
 * hashed as it streams; the manifest (the last entry) is matched as it streams too, then databases are checked.
 * Only then is anything decided: a problem anywhere throws, and the caller removes the staging dir, so the live
 * state is never touched by a bad archive. After that: drop what must not come back, rewrite paths in
 * openclaw.json, tighten modes.
 */
export async function stageArchive(options: {
  archive: ArchiveInput;
  staging: string;
  /** Where each root goes, decided once the pass has proven the archive (from its roots and its config). */
  decidePlace: (scan: ScanResult) => Promise<PlaceRootsOptions>;
  only: RestoreSelection | undefined;
  newHome: string;
  signal?: AbortSignal | undefined;
  decrypt?: DecryptionKey | undefined;
  progress?: ProgressReporter | undefined;
}): Promise<StageResult> {
  const writer = new StagingWriter(options.staging);
  const scan = await scanArchive(options.archive, {
    signal: options.signal,
    decrypt: options.decrypt,
    onEntry: writer.handle,
    stopOnProblem: true,
    progress: options.progress && { reporter: options.progress, phase: 'restore' },
  });
  if (scan.problems.length === 0) scan.problems.push(...(await writer.checkDatabases()));
  const verify = summarize(labelOf(options.archive), scan, await readStagedConfigs(options.staging, scan, writer.written));
  if (!verify.ok) throw integrityErrorFor(verify);
  writer.finish();

  const place = await options.decidePlace(scan);
  let plan = planRestore(scan, place, options.only);
  if (!options.only) {
    // A whole restore swaps root folders in: what the plan leaves out (runtime scratch, our lock) must not be in them.
    const selected = new Set(plan.selected);
    for (const entry of scan.entries.values())
      if (!selected.has(entry) && writer.written.has(entry.rel) && rootOf(plan.roots, entry.rel)) writer.drop(entry.rel);
  }

  const stateRoot = plan.roots.find((root) => root.role === 'state');
  const configFiles = plan.roots.filter((root) => root.role === 'config').map((root) => root.archiveRel);
  if (stateRoot) configFiles.unshift(`${stateRoot.archiveRel}/openclaw.json`);
  const configs = configFiles.filter((rel) => writer.written.has(rel));
  if (scan.layout?.format === 'hand-made' && !plan.origin.stateDir && configs[0]) {
    const text = await readStagedText(options.staging, configs[0]);
    const guessed = guessStateDirFromConfig(text, path.basename(scan.layout.prefix));
    if (guessed) plan = planRestore(scan, place, options.only, guessed);
  }
  const rewrites: PathRewrite[] = [];
  const mappings = pathMappings(plan.origin, plan.roots);
  for (const rel of configs) {
    const text = await readStagedText(options.staging, rel);
    const result = rewriteConfigPaths(text, { mappings, oldHome: plan.origin.home, newHome: options.newHome });
    if (result.rewrites.length === 0) continue;
    await writeStagedText(options.staging, rel, result.text);
    rewrites.push(...result.rewrites);
  }

  let privateFiles = 0;
  for (const entry of plan.selected) {
    if (entry.kind !== 'file' || !writer.written.has(entry.rel)) continue;
    if (isPrivateFile(entry.rel, plan.componentOf(entry), entry.database)) {
      chmodSync(path.join(options.staging, entry.rel), 0o600);
      privateFiles += 1;
    }
  }
  if (stateRoot && writer.written.has(stateRoot.archiveRel)) await chmodNoFollow(path.join(options.staging, stateRoot.archiveRel), 0o700);
  else if (stateRoot) await fs.mkdir(path.join(options.staging, stateRoot.archiveRel), { recursive: true, mode: 0o700 });
  return { plan, rewrites, privateFiles, written: writer.written, verify, scan };
}

/**
 * The archive's config texts by entry name, read back from the staging dir (no-follow, regular files only), so the
 * roots can be checked against the config that names them, as verify does while it streams.
 */
async function readStagedConfigs(staging: string, scan: ScanResult, written: Set<string>): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  const dirs = new Set<string>();
  for (const entry of scan.entries.values()) {
    if (entry.kind === 'directory') dirs.add(entry.name);
    if (entry.kind !== 'file' || entry.size > MAX_CONFIG_BYTES || entry.database || texts.size >= MAX_CAPTURED) continue;
    if (!isConfigCandidate(entry.name, dirs) || !written.has(entry.rel)) continue;
    texts.set(entry.name, await readStagedText(staging, entry.rel));
  }
  return texts;
}
