import type { BackupListing, StoreStats } from './types.js';

/** A store's stats counted from its listing (sizes as archives; no stored size known apart from them). */
export function statsOfListing(kind: StoreStats['kind'], listing: BackupListing): StoreStats {
  const newest = listing.archives[0];
  return {
    kind,
    location: listing.location,
    count: listing.archives.length,
    bytes: listing.archives.reduce((sum, a) => sum + a.bytes, 0),
    storedBytes: null,
    newest: newest ? { archive: newest.archive, createdAt: newest.createdAt, bytes: newest.bytes } : null,
    suspect: listing.suspect,
  };
}
