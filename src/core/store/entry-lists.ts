import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { IntegrityError } from '../../errors.js';
import type { ManifestSink } from '../archive/entry-sink.js';
import { ARCHIVE_ROOT, emptyTotals, type ManifestEntry } from '../archive/manifest.js';
import { NotRegularError, readRegularNoFollow } from '../fs/no-follow.js';
import { isObject } from '../is-object.js';

/**
 * A snapshot's manifest entries, one small file per directory, in a tree that mirrors the backed-up trees:
 * `entries/@roots.jsonl` lists the roots, `entries/<dir>/@.jsonl` a directory's children (one JSON entry a line,
 * sorted by path). A list is rewritten only when its directory changed, so restic's parent check skips the others
 * and a night that edits five notes stores five small lists, not a new multi-megabyte manifest.
 */
export const ROOTS_LIST = '@roots.jsonl';
const DIR_LIST = '@.jsonl';
/**
 * A directory with more entries than this has its list split in 16 by a hash of each name (`@.0.jsonl` …
 * `@.f.jsonl`): an edited note then rewrites a sixteenth of a large directory's list. Names starting with "@." are
 * never a child's (escaped names start with "@@" or "@h").
 */
const SPLIT_OVER = 64;
const BUCKET_LIST = /^@\.[0-9a-f]\.jsonl$/;
/** A directory list larger than this is refused (a directory of ~1M entries; the reader holds one list at a time). */
const MAX_LIST_BYTES = 256 * 1024 * 1024;

/** A path component in the lists tree: names starting with "@" are doubled, overlong ones hashed (never colliding). */
function escapeComponent(name: string): string {
  const escaped = name.startsWith('@') ? `@${name}` : name;
  return Buffer.byteLength(escaped) <= 255 ? escaped : `@h${createHash('sha256').update(name).digest('hex').slice(0, 40)}`;
}

/** The lists dir of a directory, relative to the entries dir; undefined outside our archive root. */
function listDirOf(dir: string): string | undefined {
  if (!dir.startsWith(`${ARCHIVE_ROOT}/`)) return undefined;
  return dir
    .slice(ARCHIVE_ROOT.length + 1)
    .split('/')
    .map(escapeComponent)
    .join('/');
}

/** Which sixteenth of a split list an entry goes to: by a hash of its path, so it stays there night after night. */
function bucketOf(line: string): string {
  const entry = JSON.parse(line) as { path: string };
  return createHash('sha256').update(entry.path).digest('hex').charAt(0);
}

const isAncestorOrSelf = (dir: string, of: string) => of === dir || of.startsWith(`${dir}/`);

/** The manifest as the walk fills it, written as per-directory lists below `dir` (kept between runs). */
export class EntryListWriter implements ManifestSink {
  readonly totals = emptyTotals();
  readonly warnings: string[] = [];
  readonly externalSymlinks: string[] = [];
  private readonly roots: string[] = [];
  /** The roots (archive paths) that got an entry: the trees restic must read. */
  readonly rootsSeen = new Set<string>();
  /** Lists still growing, outermost first: the directories on the walk's current path. */
  private open: Array<{ dir: string; lines: string[] }> = [];
  private readonly written = new Set<string>();
  /** Lists rewritten this run (the rest were unchanged). */
  changedLists = 0;

  constructor(
    readonly dir: string,
    private readonly rootNames: ReadonlySet<string>,
  ) {}

  async add(entry: ManifestEntry): Promise<void> {
    const line = JSON.stringify(entry);
    if (entry.type === 'directory') this.totals.directories += 1;
    else if (entry.type === 'symlink') {
      this.totals.symlinks += 1;
      if (entry.external) this.externalSymlinks.push(entry.path);
    } else {
      this.totals.files += 1;
      this.totals.bytes += entry.size;
      if (entry.sqlite) this.totals.databases += 1;
    }
    if (this.rootNames.has(entry.path)) {
      // Roots are walked one after another: the previous root's lists are complete.
      await this.closeWhile(() => true);
      this.roots.push(line);
      this.rootsSeen.add(entry.path);
      return;
    }
    const parent = path.posix.dirname(entry.path);
    await this.closeWhile((open) => !isAncestorOrSelf(open.dir, parent));
    let list = this.open.at(-1);
    if (list?.dir !== parent) {
      list = { dir: parent, lines: await this.reopen(parent) };
      this.open.push(list);
    }
    list.lines.push(line);
  }

  /** Closes open lists from the innermost while `test` holds. */
  private async closeWhile(test: (open: { dir: string }) => boolean): Promise<void> {
    while (this.open.length > 0 && test(this.open.at(-1) as { dir: string })) {
      const list = this.open.pop() as { dir: string; lines: string[] };
      await this.flush(list.dir, list.lines);
    }
  }

  /** A list flushed earlier this run that gets another entry (a directory emitted late) continues from its files. */
  private async reopen(dir: string): Promise<string[]> {
    const listDir = listDirOf(dir);
    if (listDir === undefined) return [];
    const lines: string[] = [];
    for (const rel of this.written) {
      if (path.posix.dirname(rel) !== listDir || rel === ROOTS_LIST) continue;
      const text = await fs.readFile(path.join(this.dir, rel), 'utf8');
      lines.push(...text.split('\n').filter((l) => l !== ''));
      this.written.delete(rel);
    }
    return lines;
  }

  private async flush(dir: string, lines: string[]): Promise<void> {
    const listDir = listDirOf(dir);
    if (listDir === undefined) throw new IntegrityError(`manifest entry under ${dir}, outside ${ARCHIVE_ROOT}/`);
    if (lines.length <= SPLIT_OVER) {
      await this.writeList(`${listDir}/${DIR_LIST}`, lines);
      return;
    }
    const buckets = new Map<string, string[]>();
    for (const line of lines) {
      const bucket = bucketOf(line);
      const list = buckets.get(bucket) ?? [];
      list.push(line);
      buckets.set(bucket, list);
    }
    for (const [bucket, bucketLines] of buckets) await this.writeList(`${listDir}/@.${bucket}.jsonl`, bucketLines);
  }

  /** Writes a list unless the file already holds exactly this (so its inode, mtime and ctime stay for restic). */
  private async writeList(rel: string, lines: string[]): Promise<void> {
    const text = `${[...lines].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join('\n')}\n`;
    this.written.add(rel);
    const file = path.join(this.dir, rel);
    const existing = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (existing === text) return;
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await fs.writeFile(`${file}.tmp`, text, { mode: 0o600 });
    await fs.rename(`${file}.tmp`, file);
    this.changedLists += 1;
  }

  /** Writes what is still open and the roots, then removes the lists of directories that are gone. */
  async finish(): Promise<void> {
    await this.closeWhile(() => true);
    await this.writeList(ROOTS_LIST, this.roots);
    await removeStale(this.dir, '', this.written);
  }
}

async function removeStale(root: string, rel: string, keep: ReadonlySet<string>): Promise<boolean> {
  const dir = path.join(root, rel);
  let empty = true;
  for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const childRel = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory() && (await removeStale(root, childRel, keep))) {
      await fs.rmdir(path.join(root, childRel)).catch(() => {});
      continue;
    }
    if (!entry.isDirectory() && !keep.has(childRel)) {
      await fs.rm(path.join(root, childRel), { force: true });
      continue;
    }
    empty = false;
  }
  return empty;
}

/**
 * Reads the lists back in tree order (a root, then each directory before its children), from a tree restic
 * restored: every directory on the way is checked to be a real directory and every list a regular file, so a
 * link planted in a forged snapshot is never followed. An entry must sit in the directory whose list names it.
 */
export class EntryListReader {
  private readonly checked = new Set<string>();

  constructor(readonly dir: string) {}

  async *entries(): AsyncGenerator<Record<string, unknown>> {
    for (const entry of await this.read(ROOTS_LIST, undefined)) {
      yield entry;
      if (entry.type === 'directory') yield* this.below(entry.path as string);
    }
  }

  private async *below(dir: string): AsyncGenerator<Record<string, unknown>> {
    const listDir = listDirOf(dir);
    if (listDir === undefined || !(await this.realDirs(listDir))) return;
    const names = await fs.readdir(path.join(this.dir, listDir)).catch(() => [] as string[]);
    const entries: Record<string, unknown>[] = [];
    for (const name of names.filter((n) => n === DIR_LIST || BUCKET_LIST.test(n)).sort())
      entries.push(...(await this.read(`${listDir}/${name}`, dir)));
    entries.sort((a, b) => ((a.path as string) < (b.path as string) ? -1 : (a.path as string) > (b.path as string) ? 1 : 0));
    for (const entry of entries) {
      yield entry;
      if (entry.type === 'directory') yield* this.below(entry.path as string);
    }
  }

  private async read(rel: string, parent: string | undefined): Promise<Record<string, unknown>[]> {
    if (!(await this.realDirs(path.posix.dirname(rel)))) return [];
    let text: string;
    try {
      text = (await readRegularNoFollow(path.join(this.dir, rel), MAX_LIST_BYTES)).toString('utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      if (error instanceof NotRegularError) throw new IntegrityError(`manifest list ${rel} is a ${error.found}, not a file`);
      throw error;
    }
    const out: Record<string, unknown>[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new IntegrityError(`manifest list ${rel}: a line is not JSON`);
      }
      if (!isObject(value) || typeof value.path !== 'string') throw new IntegrityError(`manifest list ${rel}: an entry has no path`);
      if (parent !== undefined && path.posix.dirname(value.path) !== parent)
        throw new IntegrityError(`manifest list ${rel}: ${value.path} is not in ${parent}`);
      out.push(value);
    }
    return out;
  }

  /** Every directory of `rel` below the entries dir is a real directory (not a link); false when one is missing. */
  private async realDirs(rel: string): Promise<boolean> {
    if (rel === '.' || rel === '') return true;
    if (this.checked.has(rel)) return true;
    if (!(await this.realDirs(path.posix.dirname(rel)))) return false;
    const stat = await fs.lstat(path.join(this.dir, rel)).catch(() => undefined);
    if (!stat) return false;
    if (!stat.isDirectory()) throw new IntegrityError(`manifest lists: ${rel} is not a directory`);
    this.checked.add(rel);
    return true;
  }
}
