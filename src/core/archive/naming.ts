import type { Compression } from '../../config/schema.js';
import { EXTENSIONS } from './compression.js';

const NAME = /^openclaw-backup-(.+)-(\d{8}T\d{6}Z)(?:-(\d+))?\.tar(?:\.gz|\.zst)?(?:\.age)?$/;

function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** openclaw-backup-<profile>-YYYYMMDDTHHMMSSZ[-N].tar.gz: sorts by time, says what it is. */
export function archiveFileName(profile: string, createdAt: Date, compression: Compression, collision = 0, suffix = ''): string {
  const extra = collision > 0 ? `-${collision}` : '';
  return `openclaw-backup-${profile}-${stamp(createdAt)}${extra}${EXTENSIONS[compression]}${suffix}`;
}

export interface ParsedArchiveName {
  profile: string;
  stamp: string;
  /** The -N of a name chosen when another backup had taken the same second (0 for none). */
  collision: number;
  encrypted: boolean;
}

/** Recognises our archive names (a first filter only: list and prune confirm by the header inside). */
export function parseArchiveFileName(name: string): ParsedArchiveName | undefined {
  const match = NAME.exec(name);
  if (!match) return undefined;
  return {
    profile: match[1] as string,
    stamp: match[2] as string,
    collision: match[3] === undefined ? 0 : Number(match[3]),
    encrypted: name.endsWith('.age'),
  };
}
