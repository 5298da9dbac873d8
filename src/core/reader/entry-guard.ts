/**
 * Name- and type-level checks on every tar entry, before anything is written: the rules that keep extraction
 * inside its staging dir. They depend only on the entries seen so far, so verify and restore apply the same ones.
 */

export type EntryKind = 'file' | 'directory' | 'symlink' | 'link';

export interface RawEntryHeader {
  name: string;
  type: string | null | undefined;
  mode?: number | undefined;
  linkname?: string | null | undefined;
}

/** Strips leading "./" and a trailing "/"; returns undefined for the archive's own "." entry. */
export function normalizeEntryName(name: string): string | undefined {
  let out = name;
  while (out.startsWith('./')) out = out.slice(2);
  out = out.replace(/\/+$/, '');
  return out === '' || out === '.' ? undefined : out;
}

/** Linux's NAME_MAX: the longest name one path component may have, in bytes. */
export const MAX_COMPONENT_BYTES = 255;
/**
 * The longest entry path we accept, in bytes: PATH_MAX (4096 with its NUL) less 1 KiB kept for the directory it is
 * restored below, so whatever verify passes, restore can create.
 */
export const MAX_PATH_BYTES = 4095 - 1024;

/** Why a name is unsafe to extract, or undefined when it is a plain relative path. */
export function unsafeNameReason(name: string): string | undefined {
  if (name.startsWith('/')) return 'absolute path';
  if (name.includes('\0')) return 'NUL byte in path';
  const parts = name.split('/');
  if (parts.includes('..')) return '".." path component';
  if (parts.some((part) => part === '' || part === '.')) return 'empty or "." path component';
  return tooLongReason(name);
}

/** Names the system could not create: a component over NAME_MAX, or a path over MAX_PATH_BYTES. */
export function tooLongReason(name: string): string | undefined {
  const bytes = Buffer.byteLength(name);
  if (bytes > MAX_PATH_BYTES) return `path of ${bytes} bytes, longer than the ${MAX_PATH_BYTES} a restore can create`;
  for (const part of name.split('/')) {
    const partBytes = Buffer.byteLength(part);
    if (partBytes > MAX_COMPONENT_BYTES)
      return `path component of ${partBytes} bytes, longer than the system allows (${MAX_COMPONENT_BYTES})`;
  }
  return undefined;
}

export { sawPaxGlobalHeader } from './tar-entries.js';

function kindOf(type: string | null | undefined): EntryKind | undefined {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'link';
    default:
      return undefined;
  }
}

function describeType(type: string | null | undefined): string {
  if (type === 'character-device' || type === 'block-device') return 'device node';
  if (type === 'fifo') return 'FIFO';
  return `unsupported entry type ${type ?? 'unknown'}`;
}

function ancestorsOf(name: string): string[] {
  const parts = name.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i += 1) out.push(parts.slice(0, i).join('/'));
  return out;
}

/**
 * The name a case-insensitive file system would file `name` under. V8's toLowerCase returns a new string even when
 * nothing changes; a name already in lower case (most are) comes back as itself, so nothing keeps a second copy of
 * it (200,000 entries: ~17 MB).
 */
export function foldCase(name: string): string {
  const lower = name.toLowerCase();
  return lower === name ? name : lower;
}

/** The kind of an accepted entry its caller keeps (see EntryGuard.handOver), or undefined. */
export type KeptKind = (name: string) => EntryKind | undefined;

/** Tracks the tree an archive builds, entry by entry, and rejects entries that would escape or collide. */
export class EntryGuard {
  /** Accepted entries not handed over to the caller's own table. */
  private readonly explicit = new Map<string, EntryKind>();
  private readonly implicitDirs = new Set<string>();
  /**
   * Names (and folders on the way) not already in lower case, by their folded form. A lower-case one is found among
   * the accepted entries or in `implicitDirs` under itself, so only the few others need a map of their own: one map
   * entry per archive entry costs ~7 MB at 200,000 entries.
   */
  private readonly mixedCase = new Map<string, string>();

  constructor(private readonly kept: KeptKind = () => undefined) {}

  /**
   * The caller now keeps the accepted entry `name` where `kept` finds it, so the guard drops its own record: one
   * hash table of names instead of two (200,000 entries: ~7 MB).
   */
  handOver(name: string): void {
    this.explicit.delete(name);
  }

  /** Returns the entry's kind, or a reason to reject it. `name` must already be normalized. */
  check(name: string, header: RawEntryHeader): { kind: EntryKind; linkTarget?: string } | { reason: string } {
    const unsafe = unsafeNameReason(name);
    if (unsafe) return { reason: `unsafe path (${unsafe})` };
    const kind = kindOf(header.type);
    if (!kind) return { reason: describeType(header.type) };
    if ((header.mode ?? 0) & 0o6000) return { reason: 'setuid/setgid bit set' };
    if (kind === 'symlink' && Buffer.byteLength(header.linkname ?? '') > MAX_PATH_BYTES)
      return { reason: `symlink target longer than the ${MAX_PATH_BYTES} bytes a restore can create` };
    if (this.kindOf(name) !== undefined) return { reason: 'duplicate entry' };
    for (const path of [...ancestorsOf(name), name]) {
      const other = this.sameFolded(path);
      if (other !== undefined && other !== path) return { reason: `collides with ${other} on a case-insensitive file system` };
    }
    if (kind !== 'directory' && this.implicitDirs.has(name))
      return { reason: 'a directory of earlier entries, archived again as a non-directory' };
    for (const ancestor of ancestorsOf(name)) {
      const seen = this.kindOf(ancestor);
      if (seen === 'symlink') return { reason: `passes through the symlink ${ancestor}` };
      if (seen && seen !== 'directory') return { reason: `parent ${ancestor} is not a directory` };
    }
    let linkTarget: string | undefined;
    if (kind === 'link') {
      const target = normalizeEntryName(header.linkname ?? '');
      if (!target || unsafeNameReason(target))
        return { reason: `hard link to ${header.linkname ?? '(nothing)'} points outside the archive` };
      if (this.kindOf(target) !== 'file') return { reason: `hard link to ${target}, which is not an earlier regular file of the archive` };
      linkTarget = target;
    }
    this.explicit.set(name, kind);
    this.fileFolded(name);
    for (const ancestor of ancestorsOf(name)) {
      this.implicitDirs.add(ancestor);
      this.fileFolded(ancestor);
    }
    return linkTarget ? { kind, linkTarget } : { kind };
  }

  /**
   * The earlier name or folder that folds to the same name as `path` (at most one: a second would have collided).
   * It may be `path` itself.
   */
  private sameFolded(path: string): string | undefined {
    const folded = foldCase(path);
    const mixed = this.mixedCase.get(folded);
    if (mixed !== undefined || folded === path) return mixed;
    return this.kindOf(folded) !== undefined || this.implicitDirs.has(folded) ? folded : undefined;
  }

  private kindOf(name: string): EntryKind | undefined {
    return this.explicit.get(name) ?? this.kept(name);
  }

  private fileFolded(path: string): void {
    const folded = foldCase(path);
    if (folded !== path && !this.mixedCase.has(folded)) this.mixedCase.set(folded, path);
  }
}
