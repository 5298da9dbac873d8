import { IntegrityError } from '../../errors.js';

/** Most a JSON piece held at once may take: the document minus its entries, or one entry. */
const PIECE_LIMIT = 16 << 20;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Parses our manifest (one JSON object) as it streams past: every element of its top-level "entries" array goes
 * to `onEntry` as soon as it is complete and is then dropped; everything else (header fields, totals, roots) is
 * returned as one small object without `entries`. Memory is one entry plus that skeleton, whatever the file count.
 * `entries` in the result is the number of elements streamed, or undefined when there was no entries array.
 */
export async function parseManifestStream(
  stream: AsyncIterable<unknown>,
  name: string,
  onEntry: (entry: unknown) => void,
): Promise<{ manifest: unknown; entries: number | undefined }> {
  const invalid = (why = 'not valid JSON') => new IntegrityError(`${name}: ${why}`);
  const skeleton: Buffer[] = [];
  let skeletonSize = 0;
  let element: Buffer[] = [];
  let elementSize = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let expectKey = false;
  let keyBytes: number[] | undefined;
  let lastKey = '';
  let inEntries = false;
  let entriesSeen = false;
  let count = 0;
  /** Inside the entries array: an element has started (non-space seen) since the last separator. */
  let inElement = false;
  let separated = true;

  const keep = (chunk: Buffer, from: number, to: number) => {
    if (to <= from) return;
    skeletonSize += to - from;
    if (skeletonSize > PIECE_LIMIT) throw invalid(`more than ${PIECE_LIMIT} bytes outside its entries`);
    skeleton.push(chunk.subarray(from, to));
  };
  const take = (chunk: Buffer, from: number, to: number) => {
    if (to <= from) return;
    elementSize += to - from;
    if (elementSize > PIECE_LIMIT) throw invalid(`an entry of more than ${PIECE_LIMIT} bytes`);
    element.push(chunk.subarray(from, to));
  };
  const finishElement = () => {
    let value: unknown;
    try {
      value = JSON.parse(Buffer.concat(element, elementSize).toString('utf8'));
    } catch {
      throw invalid();
    }
    element = [];
    elementSize = 0;
    inElement = false;
    count += 1;
    onEntry(value);
  };

  for await (const item of stream) {
    const chunk = item as Buffer;
    // Bytes from `mark` on belong to the skeleton (outside entries) or to the current element (inside).
    let mark = 0;
    for (let pos = 0; pos < chunk.length; pos += 1) {
      const c = chunk[pos] as number;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (keyBytes) {
            lastKey = Buffer.from(keyBytes).toString('utf8');
            keyBytes = undefined;
          }
        } else if (keyBytes) {
          if (keyBytes.length > 64) keyBytes.length = 64; // a long key is not "entries"; keep it bounded
          keyBytes.push(c);
        }
        continue;
      }
      if (inEntries && depth === 2) {
        if (c === 0x2c /* , */ || c === 0x5d /* ] */) {
          take(chunk, mark, pos);
          mark = pos;
          if (inElement) finishElement();
          else if (c === 0x2c || !separated || count > 0) throw invalid();
          separated = c === 0x2c;
          if (c === 0x5d) {
            inEntries = false;
            depth = 1;
            continue; // "]" goes to the skeleton: mark is at it
          }
          mark = pos + 1;
          continue;
        }
        if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
          if (!inElement) {
            if (!separated) throw invalid();
            separated = false;
            inElement = true;
            mark = pos;
          }
        } else if (!inElement) mark = pos + 1;
      }
      switch (c) {
        case QUOTE:
          inString = true;
          if (depth === 1 && expectKey) keyBytes = [];
          break;
        case 0x7b: // {
        case 0x5b: // [
          depth += 1;
          if (depth === 1) expectKey = c === 0x7b;
          else if (depth === 2 && c === 0x5b && lastKey === 'entries' && !expectKey) {
            if (entriesSeen) throw invalid('"entries" appears twice');
            entriesSeen = true;
            keep(chunk, mark, pos + 1);
            inEntries = true;
            inElement = false;
            separated = true;
            mark = pos + 1;
          }
          break;
        case 0x7d: // }
        case 0x5d: // ]
          depth -= 1;
          if (depth < 0) throw invalid();
          break;
        case 0x2c: // ,
          if (depth === 1) {
            expectKey = true;
            lastKey = '';
          }
          break;
        case 0x3a: // :
          if (depth === 1) expectKey = false;
          break;
        default:
          break;
      }
    }
    if (inEntries) take(chunk, mark, chunk.length);
    else keep(chunk, mark, chunk.length);
  }
  if (inEntries || inString || depth !== 0) throw invalid();
  let manifest: unknown;
  try {
    manifest = JSON.parse(Buffer.concat(skeleton, skeletonSize).toString('utf8'));
  } catch {
    throw invalid();
  }
  if (manifest && typeof manifest === 'object' && !Array.isArray(manifest)) delete (manifest as Record<string, unknown>).entries;
  return { manifest, entries: entriesSeen ? count : undefined };
}
