import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleCycles, moduleGraph } from '../../helpers/module-graph.js';

const SRC = path.resolve(import.meta.dirname, '../../../src');

describe('the modules of src (layers, and the engine modules inside core)', () => {
  it('import each other in one direction: no cycle between modules', () => {
    expect(moduleCycles(moduleGraph(SRC))).toEqual([]);
  });

  it('the check sees a cycle through several modules', () => {
    const graph = new Map([
      ['core/reader', new Set(['core/archive'])],
      ['core/archive', new Set(['core/store'])],
      ['core/store', new Set(['core/reader', 'core/fs'])],
      ['core/fs', new Set<string>()],
    ]);
    expect(moduleCycles(graph)).toEqual([['core/archive', 'core/reader', 'core/store']]);
  });

  it('knows the engine modules the architecture page names', () => {
    const modules = [...moduleGraph(SRC).keys()];
    for (const name of [
      'core/archive',
      'core/reader',
      'core/store',
      'core/backup',
      'core/restore',
      'core/browse',
      'core/sessions',
      'run',
      'hooks',
    ])
      expect(modules).toContain(name);
  });
});
