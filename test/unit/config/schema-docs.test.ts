import fs from 'node:fs';
import path from 'node:path';
import JSON5 from 'json5';
import { describe, expect, it } from 'vitest';
import { backupBlockSchema } from '../../../src/config/schema.js';
import { describeKeys, renderConfigExample, renderKeyTable, TABLE_END, TABLE_START } from '../../../src/config/schema-docs.js';
import { REPO_ROOT } from '../../helpers/fixture.js';

/** The schema is the single truth: the example config and the README's key table are generated from it. */
describe('docs generated from the schema', () => {
  it('config.example.json5 is what the schema renders (run npm run docs:config after changing the schema)', () => {
    expect(fs.readFileSync(path.join(REPO_ROOT, 'config.example.json5'), 'utf8')).toBe(renderConfigExample());
  });

  it("the README's key table is what the schema renders", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf(TABLE_START) + TABLE_START.length, readme.indexOf(TABLE_END)).trim();
    expect(table).toBe(renderKeyTable());
  });

  it('every key has a description and an example, and the rendered example config is a valid block', () => {
    for (const doc of describeKeys()) {
      expect(doc.description, doc.key).not.toBe('');
      expect(doc.examples.length, doc.key).toBeGreaterThan(0);
      for (const example of doc.examples)
        expect(backupBlockSchema.safeParse({ [doc.key]: example }).success, `${doc.key}: ${JSON.stringify(example)}`).toBe(true);
    }
    const parsed = JSON5.parse(renderConfigExample()) as { plugins: { entries: Record<string, { config: unknown }> } };
    expect(backupBlockSchema.safeParse(parsed.plugins.entries['openclaw-backup']?.config).success).toBe(true);
  });
});
