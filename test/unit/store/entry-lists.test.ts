import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../../../src/core/archive/manifest.js';
import { EntryListReader, EntryListWriter } from '../../../src/core/store/entry-lists.js';
import { makeTempDir } from '../../helpers/temp.js';

let dir: string;
beforeEach(() => {
  dir = makeTempDir('ocb-lists-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const ROOT = 'openclaw-backup/state';
const dirEntry = (p: string): ManifestEntry => ({ path: p, type: 'directory', component: 'state', mode: 0o700, mtimeMs: 1 });
const fileEntry = (p: string, sha = 'a'.repeat(64)): ManifestEntry => ({
  path: p,
  type: 'file',
  component: 'workspace',
  mode: 0o600,
  mtimeMs: 2,
  size: 3,
  sha256: sha,
});

/** The walk's order: a directory's children, then each subdirectory's contents. */
function tree(notes: number, edited = -1): ManifestEntry[] {
  const out = [dirEntry(ROOT), dirEntry(`${ROOT}/@odd`), dirEntry(`${ROOT}/ws`), fileEntry(`${ROOT}/openclaw.json`)];
  out.push(fileEntry(`${ROOT}/@odd/x.md`));
  for (let i = 0; i < notes; i += 1)
    out.push(fileEntry(`${ROOT}/ws/n${String(i).padStart(3, '0')}.md`, (i === edited ? 'b' : 'a').repeat(64)));
  return out;
}

async function write(entries: ManifestEntry[]): Promise<EntryListWriter> {
  const writer = new EntryListWriter(dir, new Set([ROOT]));
  for (const entry of entries) await writer.add(entry);
  await writer.finish();
  return writer;
}

async function readBack(): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of new EntryListReader(dir).entries()) out.push(entry.path as string);
  return out;
}

function listFiles(): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile()) out.set(path.relative(dir, path.join(e.parentPath, e.name)), fs.statSync(path.join(e.parentPath, e.name)).ino);
  return out;
}

describe('manifest lists', () => {
  it('read back every entry, each directory before its children, whatever the names', async () => {
    const entries = tree(200);
    const writer = await write(entries);
    expect(writer.totals).toMatchObject({ files: 202, directories: 3 });
    const back = await readBack();
    expect([...back].sort()).toEqual(entries.map((e) => e.path).sort());
    for (const [i, p] of back.entries()) expect(back.indexOf(path.posix.dirname(p))).toBeLessThan(i === 0 ? 1 : i);
    // "@odd" is escaped so it never collides with a list's own name; the 200 notes are split in sixteenths.
    expect([...listFiles().keys()]).toEqual(expect.arrayContaining(['@roots.jsonl', 'state/@.jsonl', 'state/@@odd/@.jsonl']));
    expect([...listFiles().keys()].filter((f) => f.startsWith('state/ws/@.')).length).toBeGreaterThan(8);
  });

  it('a second run rewrites only the part of a list that changed, and removes lists of directories that are gone', async () => {
    await write(tree(200));
    const before = listFiles();
    await write(tree(200, 7).filter((e) => !e.path.includes('@odd')));
    const after = listFiles();
    const rewritten = [...after].filter(([file, ino]) => before.get(file) !== ino).map(([file]) => file);
    expect(rewritten).toHaveLength(2); // the sixteenth holding n007.md, and the state dir's list (no more @odd)
    expect(after.has('state/@@odd/@.jsonl')).toBe(false);
  });

  it('a list naming an entry outside its directory is refused, not followed', async () => {
    await write(tree(3));
    fs.appendFileSync(path.join(dir, 'state/ws/@.jsonl'), `${JSON.stringify(fileEntry('openclaw-backup/state/elsewhere.md'))}\n`);
    await expect(readBack()).rejects.toThrow(/is not in openclaw-backup\/state\/ws/);
  });

  it('a list dir replaced by a symlink is refused', async () => {
    await write(tree(3));
    fs.rmSync(path.join(dir, 'state/ws'), { recursive: true });
    fs.symlinkSync('/etc', path.join(dir, 'state/ws'));
    await expect(readBack()).rejects.toThrow(/is not a directory/);
  });
});
