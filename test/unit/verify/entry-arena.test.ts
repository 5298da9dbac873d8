import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EntryArena } from '../../../src/core/reader/entry-arena.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('EntryArena', () => {
  it('gives back every digest and time by slot after growing well past its first size', () => {
    const arena = new EntryArena((name) => name);
    const slots: number[] = [];
    for (let i = 0; i < 5000; i += 1) {
      const slot = arena.allocate();
      slots.push(slot);
      arena.setDigest(slot, sha(String(i)));
      arena.setTime(slot, 1_700_000_000_123.5 + i);
    }
    expect(arena.size).toBe(5000);
    expect(slots).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    for (let i = 0; i < 5000; i += 1) {
      expect(arena.digest(i)).toBe(sha(String(i)));
      expect(arena.time(i)).toBe(1_700_000_000_123.5 + i);
    }
  });

  it('keeps a digest that is not lower-case hex exactly as given, so a comparison is not fooled', () => {
    const arena = new EntryArena((name) => name);
    const upper = arena.allocate();
    const short = arena.allocate();
    arena.setDigest(upper, sha('x').toUpperCase());
    arena.setDigest(short, 'abc');
    expect(arena.digest(upper)).toBe(sha('x').toUpperCase());
    expect(arena.digest(short)).toBe('abc');
    arena.setDigest(short, sha('y'));
    expect(arena.digest(short)).toBe(sha('y'));
  });

  it('starts a slot at time 0 and an all-zero digest', () => {
    const arena = new EntryArena((name) => name);
    const slot = arena.allocate();
    expect(arena.time(slot)).toBe(0);
    expect(arena.digest(slot)).toBe('0'.repeat(64));
  });
});
