import fs from 'node:fs/promises';
import path from 'node:path';
import type { Component } from '../components.js';
import { integrityErrorFor, type VerifyResult } from '../verify/verify-archive.js';
import { scanArchive, type ScanResult, type ScannedEntry, type VerifyProblem } from '../verify/scan-archive.js';
import { guessStateDirFromConfig } from './guess-origin.js';
import { isPrivateFile, makePrivate } from './permissions.js';
import { pathMappings, placeRoots, type PlaceRootsOptions, type PlacedRoot } from './place-roots.js';
import { rewriteConfigPaths, type PathRewrite } from './rewrite-config.js';
import { componentOf, describeOrigin, rootOf, type ArchiveOrigin } from './roots.js';
import { StagingWriter } from './extract.js';
import type { DecryptionKey } from '../crypto/keys.js';
import { LOCK_NAME } from '../lock.js';
import type { ArchiveInput } from '../archive/source.js';
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

export function planRestore(scan: ScanResult, place: PlaceRootsOptions, only: Component[] | undefined, guessStateDir?: string): RestorePlan {
  const origin = describeOrigin(scan, () => guessStateDir);
  const roots = placeRoots(origin, place);
  const byName = new Map<string, Component>();
  if (scan.layout?.format === 'openclaw-backup') {
    for (const e of (scan.manifest as { entries: Array<{ path: string; component: Component }> }).entries) byName.set(e.path, e.component);
  }
  const component = (entry: ScannedEntry) => byName.get(entry.name) ?? componentOf(roots, entry);
  const selected = scan.entries.filter((entry) => {
    const found = rootOf(roots, entry.rel);
    if (!found) return false;
    if (found.root.role === 'state' && isRuntimeOnly(found.inner)) return false;
    if (!only) return true;
    const c = component(entry);
    return entry.kind === 'directory' || (c !== undefined && only.includes(c));
  });
  return { origin, roots, selected, componentOf: component };
}

export interface StageResult {
  plan: RestorePlan;
  rewrites: PathRewrite[];
  privateFiles: number;
  written: Set<string>;
}

function compareWithFirstPass(first: Map<string, ScannedEntry>, second: ScanResult): VerifyProblem[] {
  const problems = [...second.problems];
  for (const entry of second.entries) {
    const before = first.get(entry.name);
    if (!before) problems.push({ path: entry.name, reason: 'appeared since the archive was verified' });
    else if (before.kind !== entry.kind || before.size !== entry.size || before.sha256 !== entry.sha256) {
      problems.push({ path: entry.name, reason: 'changed since the archive was verified' });
    }
  }
  if (second.entries.length !== first.size) problems.push({ path: 'archive', reason: 'changed since the archive was verified' });
  return problems;
}

/**
 * Second pass: extracts the selected entries into the staging dir, checking each against the first pass (so an
 * archive swapped or altered in between is refused), then rewrites paths in openclaw.json and tightens modes.
 */
export async function stageArchive(options: {
  archive: ArchiveInput;
  firstPass: ScanResult;
  verify: VerifyResult;
  staging: string;
  place: PlaceRootsOptions;
  only: Component[] | undefined;
  newHome: string;
  signal?: AbortSignal | undefined;
  decrypt?: DecryptionKey | undefined;
  progress?: ProgressReporter | undefined;
}): Promise<StageResult> {
  let plan = planRestore(options.firstPass, options.place, options.only);
  const selected = new Set(plan.selected.map((entry) => entry.name));
  const first = new Map(options.firstPass.entries.map((entry) => [entry.name, entry]));
  const writer = new StagingWriter(options.staging, (entry) => selected.has(entry.name));
  const second = await scanArchive(options.archive, {
    signal: options.signal,
    decrypt: options.decrypt,
    onEntry: writer.handle,
    sizeLimit: (entry) => first.get(entry.name)?.size ?? 0,
    progress: options.progress && { reporter: options.progress, phase: 'restore', items: options.firstPass.entries.length },
  });
  const problems = compareWithFirstPass(first, second);
  if (problems.length) throw integrityErrorFor({ ...options.verify, ok: false, problems });
  await writer.finish();

  const stateRoot = plan.roots.find((root) => root.role === 'state');
  const configFiles = plan.roots.filter((root) => root.role === 'config').map((root) => root.archiveRel);
  if (stateRoot) configFiles.unshift(`${stateRoot.archiveRel}/openclaw.json`);
  const configs = configFiles.filter((rel) => writer.written.has(rel));
  if (options.firstPass.layout?.format === 'hand-made' && !plan.origin.stateDir && configs[0]) {
    const text = await fs.readFile(path.join(options.staging, configs[0]), 'utf8').catch(() => undefined);
    const guessed = guessStateDirFromConfig(text, path.basename(options.firstPass.layout.prefix));
    if (guessed) plan = planRestore(options.firstPass, options.place, options.only, guessed);
  }
  const rewrites: PathRewrite[] = [];
  const mappings = pathMappings(plan.origin, plan.roots);
  for (const rel of configs) {
    const file = path.join(options.staging, rel);
    const text = await fs.readFile(file, 'utf8');
    const result = rewriteConfigPaths(text, { mappings, oldHome: plan.origin.home, newHome: options.newHome });
    if (result.rewrites.length === 0) continue;
    await fs.writeFile(file, result.text);
    rewrites.push(...result.rewrites);
  }

  let privateFiles = 0;
  for (const entry of plan.selected) {
    if (entry.kind !== 'file' || !writer.written.has(entry.rel)) continue;
    if (isPrivateFile(entry.rel, plan.componentOf(entry), entry.database)) {
      await makePrivate(path.join(options.staging, entry.rel));
      privateFiles += 1;
    }
  }
  if (stateRoot && writer.written.has(stateRoot.archiveRel)) await fs.chmod(path.join(options.staging, stateRoot.archiveRel), 0o700);
  else if (stateRoot) await fs.mkdir(path.join(options.staging, stateRoot.archiveRel), { recursive: true, mode: 0o700 });
  return { plan, rewrites, privateFiles, written: writer.written };
}
