import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import setupTempCheck, { RUN_TMPDIR_ENV } from '../../helpers/temp-check.js';

/** Runs the check's teardown with stderr captured; returns what it said and the exit code it set (then cleared). */
function tearDown(teardown: () => void): { said: string; exitCode: typeof process.exitCode } {
  const stderr = process.stderr.write;
  let said = '';
  process.stderr.write = ((chunk: string) => ((said += chunk), true)) as typeof process.stderr.write;
  try {
    teardown();
  } finally {
    process.stderr.write = stderr;
  }
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  return { said, exitCode };
}

describe('the test run temp-dir check (vitest globalSetup)', () => {
  it('gives the run its own TMPDIR and fails the run when something is left in it', () => {
    const outer = process.env.TMPDIR;
    const teardown = setupTempCheck();
    const runDir = process.env.TMPDIR as string;
    expect(runDir).not.toBe(outer);
    fs.mkdirSync(path.join(runDir, 'ocb-leaked-XXXX'));
    const { said, exitCode } = tearDown(teardown);
    expect(exitCode).toBe(1);
    expect(said).toContain('left 1 entry in its temp dir: ocb-leaked-XXXX');
    expect(fs.existsSync(runDir)).toBe(false);
    expect(process.env.TMPDIR).toBe(outer);
  });

  it("names what a test file left inside its own TMPDIR, and gives back the outer run's", () => {
    const outerRun = process.env[RUN_TMPDIR_ENV];
    const teardown = setupTempCheck();
    const runDir = process.env[RUN_TMPDIR_ENV] as string;
    expect(runDir).toBe(process.env.TMPDIR);
    fs.mkdirSync(path.join(runDir, 'restore-abc123', 'openclaw-backup-sessions-XXXX'), { recursive: true });
    fs.mkdirSync(path.join(runDir, 'verify-def456'));
    const { said, exitCode } = tearDown(teardown);
    expect(exitCode).toBe(1);
    expect(said).toContain('left 2 entries in its temp dir: restore-abc123/openclaw-backup-sessions-XXXX, verify-def456');
    expect(process.env[RUN_TMPDIR_ENV]).toBe(outerRun);
  });

  it('passes a run that removed everything it made', () => {
    const teardown = setupTempCheck();
    const runDir = process.env.TMPDIR as string;
    teardown();
    expect(process.exitCode).toBeFalsy();
    expect(fs.existsSync(runDir)).toBe(false);
  });
});
