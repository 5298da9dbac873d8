import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArchiveFileName } from '../../../src/core/archive/naming.js';
import { PARTIAL_SUFFIX, STAGING_PREFIX } from '../../../src/core/fs/temp-files.js';
import { crashSigns, describeRun, runCli, type RunOptions } from './cli.js';

/** Files under a final archive name (what a user, `list` or retention would trust). */
export function finalArchives(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => parseArchiveFileName(name) !== undefined)
    .sort()
    .map((name) => path.join(dir, name));
}

/** Partial archives and staging dirs: what a crash leaves and the next run must remove. */
export function tempLeftovers(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(PARTIAL_SUFFIX) || name.startsWith(STAGING_PREFIX))
    .sort();
}

export interface VerifyOutcome {
  ok: boolean;
  code: number | null;
  detail: string;
}

/** `openclaw-backup verify` as a subprocess: exit 0 = sound, 3 = integrity failure; anything else is a bug. */
export async function verifyWithCli(archive: string, options: RunOptions = {}): Promise<VerifyOutcome> {
  const args = ['verify', archive];
  const result = await runCli(args, { timeoutMs: 120_000, ...options });
  const signs = crashSigns(result);
  if (signs.length > 0 || (result.code !== 0 && result.code !== 3)) {
    throw new Error(`verify misbehaved (${signs.join(', ') || `exit ${result.code}`}): ${describeRun(args, result)}`);
  }
  return { ok: result.code === 0, code: result.code, detail: result.stderr.trim() || result.stdout.trim() };
}

/** GNU tar extraction into dest (created): the format promise that any tar reads our archives. */
export function extractWithTar(archive: string, dest: string): void {
  fs.mkdirSync(dest, { recursive: true });
  execFileSync('tar', ['-C', dest, '-xf', archive], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Reads header.json (the first entry) with GNU tar. */
export function readArchiveHeader(archive: string): { createdAt: string; [key: string]: unknown } {
  const text = execFileSync('tar', ['-xOf', archive, 'openclaw-backup/header.json'], { encoding: 'utf8' });
  return JSON.parse(text) as { createdAt: string };
}

export function sha256Of(file: string): string {
  return execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0] as string;
}

/** `openclaw-backup restore ARCHIVE --target DEST` (a separate copy): exit 0 or throws with the run described. */
export async function restoreCopy(archive: string, dest: string, options: RunOptions = {}): Promise<void> {
  const args = ['restore', archive, '--target', dest, '--json'];
  const result = await runCli(args, { timeoutMs: 120_000, ...options });
  if (result.code !== 0 || crashSigns(result).length > 0) throw new Error(`restore failed: ${describeRun(args, result)}`);
}
