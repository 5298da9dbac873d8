import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../../../src/core/node-flags.js';
import { REPO_ROOT } from '../../helpers/fixture.js';

describe('V8 flags', () => {
  it("the bin's shebang passes the same flags as the service units", () => {
    const first = fs.readFileSync(path.join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'utf8').split('\n')[0];
    expect(first).toBe(`#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`);
  });
});
