import { chmodSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { chmodNoFollow, isPrivateFile } from './permissions.js';
import { pathMappings } from './destinations.js';
import type { StagingWriter } from './extract.js';
import type { RestorePlan } from './plan.js';
import { rewriteConfigPaths, type PathRewrite } from './rewrite-config.js';
import { rootOf } from './roots.js';
import type { ScanResult } from '../reader/scan-archive.js';
import { readStagedText, writeStagedText } from './staged-files.js';

export interface StagedTree {
  /** Entries written below the staging dir (by staging rel). */
  written: Set<string>;
  rewrites: PathRewrite[];
  /** Files made 0600 (credentials, config, databases). */
  privateFiles: number;
}

/**
 * Makes the staged tree what goes live, once the plan is made: what a whole restore leaves out (runtime scratch, our
 * lock) leaves the root folders it swaps in, paths in openclaw.json move with the roots, private files get 0600 and
 * the state dir 0700.
 */
export async function finishStaging(options: {
  scan: ScanResult;
  staged: StagingWriter;
  plan: RestorePlan;
  /** A whole restore (not --only): root folders are swapped in whole. */
  whole: boolean;
  newHome: string;
}): Promise<StagedTree> {
  const { scan, staged, plan } = options;
  const staging = staged.root;
  if (options.whole) {
    const selected = new Set(plan.selected);
    for (const entry of scan.entries.values())
      if (!selected.has(entry) && staged.written.has(entry.rel) && rootOf(plan.roots, entry.rel)) staged.drop(entry.rel);
  }

  const stateRoot = plan.roots.find((root) => root.role === 'state');
  const configFiles = plan.roots.filter((root) => root.role === 'config').map((root) => root.archiveRel);
  if (stateRoot) configFiles.unshift(`${stateRoot.archiveRel}/openclaw.json`);
  const rewrites: PathRewrite[] = [];
  const mappings = pathMappings(plan.origin, plan.roots);
  for (const rel of configFiles.filter((file) => staged.written.has(file))) {
    const text = await readStagedText(staging, rel);
    const result = rewriteConfigPaths(text, { mappings, oldHome: plan.origin.home, newHome: options.newHome });
    if (result.rewrites.length === 0) continue;
    await writeStagedText(staging, rel, result.text);
    rewrites.push(...result.rewrites);
  }

  let privateFiles = 0;
  for (const entry of plan.selected) {
    if (entry.kind !== 'file' || !staged.written.has(entry.rel)) continue;
    if (isPrivateFile(entry.rel, plan.componentOf(entry), entry.database)) {
      chmodSync(path.join(staging, entry.rel), 0o600);
      privateFiles += 1;
    }
  }
  if (stateRoot && staged.written.has(stateRoot.archiveRel)) await chmodNoFollow(path.join(staging, stateRoot.archiveRel), 0o700);
  else if (stateRoot) await fs.mkdir(path.join(staging, stateRoot.archiveRel), { recursive: true, mode: 0o700 });
  return { written: staged.written, rewrites, privateFiles };
}
