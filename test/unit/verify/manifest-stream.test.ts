import { describe, expect, it } from 'vitest';
import { parseManifestStream } from '../../../src/core/reader/manifest-stream.js';

async function parse(text: string, chunk = text.length): Promise<{ manifest: unknown; entries: number | undefined; seen: unknown[] }> {
  const bytes = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += Math.max(1, chunk)) parts.push(bytes.subarray(i, i + chunk));
  const seen: unknown[] = [];
  const result = await parseManifestStream(
    (async function* () {
      yield* parts;
    })(),
    'm.json',
    (entry) => seen.push(entry),
  );
  return { ...result, seen };
}

const entries = [
  { path: 'a', type: 'file', sha256: 'x,]}"' },
  { path: 'b\\"]', type: 'directory', nested: { list: [1, [2]], s: '[' } },
];
const doc = { format: 'openclaw-backup', roots: [{ id: 'state' }], entries, totals: { files: 1 }, warnings: ['a]b'] };

describe('parseManifestStream', () => {
  it('streams every entry and returns the rest, however the document is laid out or cut', async () => {
    for (const text of [JSON.stringify(doc), JSON.stringify(doc, null, 2), JSON.stringify(doc, null, '\t').replaceAll('\n', '\r\n')]) {
      for (const chunk of [1, 2, 7, 64, text.length]) {
        const got = await parse(text, chunk);
        expect(got.seen).toEqual(entries);
        expect(got.entries).toBe(2);
        expect(got.manifest).toEqual({ format: 'openclaw-backup', roots: [{ id: 'state' }], totals: { files: 1 }, warnings: ['a]b'] });
      }
    }
  });

  it('tells an empty entries array from a missing one, and ignores "entries" keys deeper down', async () => {
    expect((await parse('{"entries": [ ]}')).entries).toBe(0);
    const nested = await parse('{"totals": {"entries": [1, 2]}}');
    expect(nested.entries).toBeUndefined();
    expect(nested.manifest).toEqual({ totals: { entries: [1, 2] } });
  });

  it('refuses what is not one valid JSON object', async () => {
    for (const bad of [
      '{"entries": [{"a":1},]}',
      '{"entries": [{"a":1} {"b":2}]}',
      '{"entries": [,{"a":1}]}',
      '{"entries": [{"a":1}',
      '{"a": 1} x',
      '{"entries": [], "entries": []}',
      'nope',
    ]) {
      await expect(parse(bad), bad).rejects.toThrow(/^m\.json: /);
    }
  });
});
