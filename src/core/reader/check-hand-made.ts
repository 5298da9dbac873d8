import { checkDeclaredRoots } from './root-rules.js';
import type { ScanResult, VerifyProblem } from './scan-archive.js';

/** A hand-made tar's top folder is the state dir: it must be a directory, and its openclaw.json a regular file. */
export function checkHandMadeArchive(scan: ScanResult): VerifyProblem[] {
  const prefix = scan.layout?.prefix;
  if (!prefix) return [];
  const problems = checkDeclaredRoots(
    [{ label: `the state dir ${prefix}`, state: true, archivePath: prefix, file: false, paths: [] }],
    scan.entries,
    prefix,
  );
  const config = scan.entries.get(`${prefix}/openclaw.json`);
  if (config && config.kind !== 'file')
    problems.push({
      path: config.name,
      reason: `the config is a ${config.kind}, not a regular file: restore reads and rewrites it, and never through a link`,
    });
  return problems;
}
