import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './fixture.js';

/** One entry for test/helpers/craft-tar.py (Python's tarfile writes it exactly as given). */
export interface CraftEntry {
  name: string;
  type?: 'file' | 'dir' | 'symlink' | 'link' | 'fifo' | 'chr';
  data?: string | Buffer;
  linkname?: string;
  mode?: number;
  pax?: Record<string, string>;
}

export interface CraftSpec {
  out: string;
  gzip?: boolean;
  format?: 'pax' | 'gnu' | 'ustar';
  /** A PAX global header ("g") written before the first entry. */
  global?: Record<string, string>;
  /** Copy this archive's members first, in order, minus `drop`, with `replace` swapped in place. */
  copy?: string;
  drop?: string[];
  replace?: Record<string, CraftEntry>;
  prepend?: CraftEntry[];
  append?: CraftEntry[];
}

const SCRIPT = path.join(REPO_ROOT, 'test', 'helpers', 'craft-tar.py');

function wire(entry: CraftEntry): Record<string, unknown> {
  const { data, ...rest } = entry;
  return { ...rest, ...(data !== undefined ? { data: Buffer.from(data).toString('base64') } : {}) };
}

function wireSpec(spec: CraftSpec): Record<string, unknown> {
  return {
    ...spec,
    prepend: spec.prepend?.map(wire),
    append: spec.append?.map(wire),
    replace: spec.replace ? Object.fromEntries(Object.entries(spec.replace).map(([k, v]) => [k, wire(v)])) : undefined,
  };
}

/** Writes a crafted archive with Python's tarfile and returns its path. */
export function craftTar(spec: CraftSpec): string {
  craftTars([spec]);
  return spec.out;
}

/** Writes many crafted archives with one Python process (a corpus built once, not a process per test). */
export function craftTars(specs: CraftSpec[]): void {
  if (specs.length === 0) return;
  execFileSync('python3', [SCRIPT], { input: JSON.stringify(specs.map(wireSpec)), stdio: ['pipe', 'ignore', 'pipe'] });
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- crafted documents are edited freely, like JSON
export type Doc = Record<string, any>;

const docsRead = new Map<string, { header: Doc; manifest: Doc }>();

/** Our header and manifest, read with GNU tar (once per archive; each caller gets its own copy to edit). */
export function readDocs(archive: string): { header: Doc; manifest: Doc } {
  const stat = fs.statSync(archive);
  const key = `${archive}\0${stat.ino}\0${stat.size}\0${stat.mtimeMs}`;
  let docs = docsRead.get(key);
  if (!docs) {
    const read = (name: string) => JSON.parse(execFileSync('tar', ['-xOf', archive, name], { encoding: 'utf8' })) as Doc;
    docs = { header: read('openclaw-backup/header.json'), manifest: read('openclaw-backup/manifest.json') };
    docsRead.set(key, docs);
  }
  return structuredClone(docs);
}

/**
 * Rewrites one of our real archives the way an attacker would, keeping every hash right: `mutate` edits the header
 * and manifest (both get the same `roots`), `extra` entries go before the manifest and are listed in it with their
 * true size and SHA-256, and `replace` swaps entries (a replaced file is re-hashed in the manifest too).
 */
export function tamperArchive(
  source: string,
  out: string,
  mutate: (header: Doc, manifest: Doc) => void,
  extra: CraftEntry[] = [],
  replace: Record<string, CraftEntry> = {},
): string {
  return craftTar(tamperSpec(source, out, mutate, extra, replace));
}

/** What tamperArchive writes, as a spec: a corpus crafts many of them in one go (craftTars). */
export function tamperSpec(
  source: string,
  out: string,
  mutate: (header: Doc, manifest: Doc) => void,
  extra: CraftEntry[] = [],
  replace: Record<string, CraftEntry> = {},
): CraftSpec {
  const { header, manifest } = readDocs(source);
  const before = JSON.stringify(manifest.roots);
  mutate(header, manifest);
  // Both documents carry the roots; an edit of the header's alone is applied to the manifest too.
  if (JSON.stringify(manifest.roots) === before) manifest.roots = header.roots;
  // The header is covered by the manifest's headerSha256 (when the archive has one): the attacker re-hashes it too.
  if (manifest.headerSha256 !== undefined) manifest.headerSha256 = sha256(JSON.stringify(header));
  const listed = (entry: CraftEntry): Doc => {
    const base = { path: entry.name, component: 'workspace', mode: entry.mode ?? 0o644, mtimeMs: 1_700_000_000_000 };
    if (entry.type === 'dir') return { ...base, type: 'directory' };
    if (entry.type === 'symlink') return { ...base, type: 'symlink', target: entry.linkname, external: true };
    const data = Buffer.from(entry.data ?? '');
    return { ...base, type: 'file', size: data.length, sha256: sha256(data) };
  };
  manifest.entries = manifest.entries.map((e: Doc) =>
    replace[e.path] ? { ...listed(replace[e.path] as CraftEntry), component: e.component } : e,
  );
  manifest.entries.push(...extra.map(listed));
  manifest.totals.bytes += extra.reduce((n, e) => n + Buffer.from(e.data ?? '').length, 0);
  return {
    out,
    copy: source,
    drop: ['openclaw-backup/manifest.json'],
    replace: {
      ...replace,
      'openclaw-backup/header.json': { name: 'openclaw-backup/header.json', data: JSON.stringify(header), mode: 0o600 },
    },
    append: [...extra, { name: 'openclaw-backup/manifest.json', data: JSON.stringify(manifest), mode: 0o600 }],
  };
}
