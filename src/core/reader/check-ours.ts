import {
  FORMAT_NAME,
  FORMAT_VERSION,
  HEADER_PATH,
  MANIFEST_PATH,
  STATE_PREFIX,
  type ArchiveHeader,
  type Manifest,
} from '../archive/manifest.js';
import { checkOurRootRecords, ourConfigEntries } from './check-our-roots.js';
import { checkDeclaredRoots, checkRootsInsideState, entriesUnderNoRoot } from './root-rules.js';
import type { ScanResult, VerifyProblem } from './scan-archive.js';
import { isObject } from '../is-object.js';

/** Slack for a zip bomb check: tar-level content may exceed the manifest's byte total by this much at most. */
const BOMB_SLACK = 1 << 20;

/** The header's fields, which the manifest opens with a copy of (it adds its own: entries, totals, …). */
const HEADER_FIELDS = [
  'format',
  'formatVersion',
  'tool',
  'createdAt',
  'host',
  'profile',
  'stateDir',
  'configPath',
  'openclawVersion',
  'components',
  'selection',
  'compression',
  'roots',
];

/**
 * The header is covered like every entry: by the manifest's headerSha256, or, in archives made before it existed,
 * by the copy of every header field the manifest starts with (a changed byte that still parses changes a value).
 */
function checkHeaderCovered(scan: ScanResult, manifest: Record<string, unknown>): VerifyProblem[] {
  const header = scan.header;
  if (!isObject(header)) return [];
  if (manifest.headerSha256 !== undefined) {
    if (manifest.headerSha256 === scan.headerSha256) return [];
    return [{ path: HEADER_PATH, reason: "SHA-256 does not match the manifest's headerSha256: the header was changed" }];
  }
  const keys = new Set([...Object.keys(header), ...HEADER_FIELDS]);
  const differing = [...keys].filter((key) => JSON.stringify(header[key]) !== JSON.stringify(manifest[key]));
  if (differing.length === 0) return [];
  return [
    { path: HEADER_PATH, reason: `differs from the manifest's copy of the header (${differing.join(', ')}): the header was changed` },
  ];
}

/** Checks an archive of our format against its header and manifest. */
export function checkOurArchive(scan: ScanResult): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  const header = scan.header;
  if (!isObject(header) || header.format !== FORMAT_NAME)
    problems.push({ path: HEADER_PATH, reason: 'header does not name the openclaw-backup format' });
  else if (typeof header.formatVersion !== 'number' || header.formatVersion > FORMAT_VERSION) {
    problems.push({
      path: HEADER_PATH,
      reason: `format version ${String(header.formatVersion)} is newer than this tool understands (${FORMAT_VERSION})`,
    });
  }
  const manifest = scan.manifest;
  if (!isObject(manifest)) {
    problems.push({ path: MANIFEST_PATH, reason: 'manifest missing: the archive is truncated or incomplete' });
    return problems;
  }
  if (scan.manifestEntries === undefined || !isObject(manifest.totals) || !Array.isArray(manifest.roots)) {
    problems.push({ path: MANIFEST_PATH, reason: 'manifest lacks entries, totals or roots' });
    return problems;
  }
  const { totals } = manifest as unknown as Manifest;
  if (typeof totals.bytes === 'number' && scan.contentBytes > totals.bytes + BOMB_SLACK) {
    problems.push({
      path: MANIFEST_PATH,
      reason: `decompressed content of ${scan.contentBytes} bytes is far beyond the manifest's total of ${totals.bytes} bytes`,
    });
  }
  // Each manifest entry was matched against the archive as the manifest streamed past (match-manifest.ts).
  problems.push(...scan.manifestProblems);
  for (const entry of scan.entries.values())
    if (!entry.listed) problems.push({ path: entry.name, reason: 'in the archive but not in the manifest' });
  const roots = (manifest as unknown as ArchiveHeader).roots;
  if (!roots.some((root) => isObject(root) && root.archivePath === STATE_PREFIX)) {
    problems.push({ path: MANIFEST_PATH, reason: 'manifest names no state root' });
    return problems;
  }
  problems.push(...checkHeaderCovered(scan, manifest));
  const records = checkOurRootRecords(header, manifest);
  problems.push(...records.problems);
  if (records.problems.length) return problems;
  const home = isObject(header) && isObject(header.host) && typeof header.host.home === 'string' ? header.host.home : undefined;
  problems.push(...checkDeclaredRoots(records.roots, scan.entries, MANIFEST_PATH, home));
  problems.push(
    ...entriesUnderNoRoot(
      records.roots,
      [...scan.entries.values()].filter((entry) => entry.listed),
    ),
  );
  problems.push(...checkRootsInsideState(records.roots, (header as unknown as ArchiveHeader).stateDir, STATE_PREFIX, scan.entries));
  const byName = scan.entries;
  for (const name of ourConfigEntries(records.roots)) {
    const entry = byName.get(name);
    if (entry && entry.kind !== 'file')
      problems.push({
        path: name,
        reason: `the config is a ${entry.kind}, not a regular file: restore reads and rewrites it, and never through a link`,
      });
  }
  return problems;
}
