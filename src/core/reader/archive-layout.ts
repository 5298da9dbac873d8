import { ARCHIVE_ROOT, HEADER_PATH } from '../archive/manifest.js';

/** The three kinds of archive we read; see docs/archive-format.md "Reading other archives". */
export type ArchiveFormat = 'openclaw-backup' | 'openclaw-native' | 'hand-made';

export interface ArchiveLayout {
  format: ArchiveFormat;
  /** Archive path prefix every entry must live under ("openclaw-backup", a native root, "home/ada/.openclaw"). */
  prefix: string;
  /** Where entries go below the staging dir: our layout keeps its folders, a hand-made tree becomes "state". */
  stagingBase: string;
}

export const FORMAT_LABELS: Record<ArchiveFormat, string> = {
  'openclaw-backup': 'openclaw-backup archive',
  'openclaw-native': 'OpenClaw native backup (openclaw backup create)',
  'hand-made': 'hand-made tar of a state dir',
};

const STATE_DIR_NAME = /^\.openclaw(-[A-Za-z0-9][A-Za-z0-9._-]*)?$/;
const NATIVE_ENTRY = /^([^/]+)\/(manifest\.json|payload(\/.*)?)$/;

/** Recognises an archive's layout from its first entry (already normalized and checked for safety). */
export function detectLayout(first: string): ArchiveLayout | undefined {
  if (first === HEADER_PATH) return { format: 'openclaw-backup', prefix: ARCHIVE_ROOT, stagingBase: '' };
  const native = NATIVE_ENTRY.exec(first);
  if (native?.[1] && !STATE_DIR_NAME.test(native[1]) && native[1] !== ARCHIVE_ROOT) {
    return { format: 'openclaw-native', prefix: native[1], stagingBase: '' };
  }
  const parts = first.split('/');
  const at = parts.findIndex((part) => STATE_DIR_NAME.test(part));
  if (at >= 0) return { format: 'hand-made', prefix: parts.slice(0, at + 1).join('/'), stagingBase: 'state' };
  return undefined;
}

/** The entry's path below the staging dir, or undefined when it lies outside the layout's prefix. */
export function stagingRel(layout: ArchiveLayout, name: string): string | undefined {
  if (name === layout.prefix) return layout.stagingBase || undefined;
  if (!name.startsWith(`${layout.prefix}/`)) return undefined;
  const rest = name.slice(layout.prefix.length + 1);
  return layout.stagingBase ? `${layout.stagingBase}/${rest}` : rest;
}

/** The source path a hand-made archive's prefix names, when it was absolute with the "/" stripped. */
export function handMadeSourcePath(layout: ArchiveLayout): string | undefined {
  return layout.prefix.includes('/') ? `/${layout.prefix}` : undefined;
}
