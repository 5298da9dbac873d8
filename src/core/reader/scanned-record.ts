import type { Component } from '../components.js';
import type { EntryArena } from './entry-arena.js';
import type { EntryKind } from './entry-guard.js';
import type { ScannedEntry } from './scanned-entry.js';

const KINDS: readonly EntryKind[] = ['file', 'directory', 'symlink', 'link'];

// One small integer holds what would be five fields of eight bytes each (node is built without pointer compression).
const MODE_MASK = 0o7777;
const KIND_SHIFT = 12;
const DATABASE_SHIFT = 14;
const LISTED_SHIFT = 16;
const HAS_DIGEST = 1 << 18;
const HAS_TIME = 1 << 19;

/** undefined, false, true as 0, 1, 2: two bits that keep "not set" apart from false. */
function packFlag(value: boolean | undefined): number {
  return value === undefined ? 0 : value ? 2 : 1;
}

function unpackFlag(bits: number): boolean | undefined {
  return bits === 0 ? undefined : bits === 2;
}

export interface RecordFields {
  name: string;
  kind: EntryKind;
  mode: number;
  mtimeMs: number | undefined;
  size: number;
}

/**
 * The scan's ScannedEntry, for archives of hundreds of thousands of entries: seven fields on the heap, the hash
 * and time in the scan's EntryArena, `rel` derived from the name when first asked. It reads and writes like the plain
 * object, so every reader of ScanResult.entries is unchanged; the entry is one object for its whole life (restore compares
 * entries by identity).
 */
export class ScannedRecord implements ScannedEntry {
  readonly name: string;
  size: number;
  component: Component | undefined = undefined;
  private readonly arena: EntryArena;
  private readonly slot: number;
  private bits: number;
  /**
   * Made on first use: verify's scan never asks, and restore's staging does, then keeps the string in its own sets
   * (one string shared by the record and the sets, not a new one each time).
   */
  private relCache: string | undefined = undefined;
  // Rare: set on the few entries that have them, so they take no room on the others.
  declare contentDigest?: string;
  declare target?: string;
  declare linkRel?: string;
  declare flagged?: ScannedEntry['flagged'];
  declare sparse?: { realSize: number };
  declare holes?: boolean;

  constructor(arena: EntryArena, fields: RecordFields) {
    this.name = fields.name;
    this.size = fields.size;
    this.arena = arena;
    this.slot = arena.allocate();
    this.bits = (fields.mode & MODE_MASK) | (KINDS.indexOf(fields.kind) << KIND_SHIFT);
    this.mtimeMs = fields.mtimeMs;
  }

  get rel(): string {
    return (this.relCache ??= this.arena.stagingRel(this.name));
  }

  get kind(): EntryKind {
    return KINDS[(this.bits >> KIND_SHIFT) & 3]!;
  }

  set kind(kind: EntryKind) {
    this.bits = (this.bits & ~(3 << KIND_SHIFT)) | (KINDS.indexOf(kind) << KIND_SHIFT);
  }

  get mode(): number {
    return this.bits & MODE_MASK;
  }

  set mode(mode: number) {
    this.bits = (this.bits & ~MODE_MASK) | (mode & MODE_MASK);
  }

  get mtimeMs(): number | undefined {
    return this.bits & HAS_TIME ? this.arena.time(this.slot) : undefined;
  }

  set mtimeMs(ms: number | undefined) {
    if (ms === undefined) this.bits &= ~HAS_TIME;
    else {
      this.arena.setTime(this.slot, ms);
      this.bits |= HAS_TIME;
    }
  }

  get sha256(): string | undefined {
    return this.bits & HAS_DIGEST ? this.arena.digest(this.slot) : undefined;
  }

  set sha256(hex: string | undefined) {
    if (hex === undefined) this.bits &= ~HAS_DIGEST;
    else {
      this.arena.setDigest(this.slot, hex);
      this.bits |= HAS_DIGEST;
    }
  }

  get database(): boolean | undefined {
    return unpackFlag((this.bits >> DATABASE_SHIFT) & 3);
  }

  set database(value: boolean | undefined) {
    this.bits = (this.bits & ~(3 << DATABASE_SHIFT)) | (packFlag(value) << DATABASE_SHIFT);
  }

  get listed(): boolean | undefined {
    return unpackFlag((this.bits >> LISTED_SHIFT) & 3);
  }

  set listed(value: boolean | undefined) {
    this.bits = (this.bits & ~(3 << LISTED_SHIFT)) | (packFlag(value) << LISTED_SHIFT);
  }
}
