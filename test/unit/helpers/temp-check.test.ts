import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import setupTempCheck from '../../helpers/temp-check.js';

describe('the test run temp-dir check (vitest globalSetup)', () => {
  it('gives the run its own TMPDIR and fails the run when something is left in it', () => {
    const outer = process.env.TMPDIR;
    const stderr = process.stderr.write;
    let said = '';
    const teardown = setupTempCheck();
    const runDir = process.env.TMPDIR as string;
    try {
      expect(runDir).not.toBe(outer);
      fs.mkdirSync(path.join(runDir, 'ocb-leaked-XXXX'));
      process.stderr.write = ((chunk: string) => ((said += chunk), true)) as typeof process.stderr.write;
      teardown();
    } finally {
      process.stderr.write = stderr;
    }
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    expect(said).toContain('left 1 entry in its temp dir: ocb-leaked-XXXX');
    expect(fs.existsSync(runDir)).toBe(false);
    expect(process.env.TMPDIR).toBe(outer);
  });

  it('passes a run that removed everything it made', () => {
    const teardown = setupTempCheck();
    const runDir = process.env.TMPDIR as string;
    teardown();
    expect(process.exitCode).toBeFalsy();
    expect(fs.existsSync(runDir)).toBe(false);
  });
});
