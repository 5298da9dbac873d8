import { createHash, type Hash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { DatabaseSync } from 'node:sqlite';

/** Values as one unambiguous text: blobs as hex, integers beyond 2^53 exactly. */
function encode(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `x'${Buffer.from(v).toString('hex')}'` : v,
  );
}

function digestRows(db: DatabaseSync, table: { name: string; sql: string | null }, hash: Hash): void {
  const quoted = `"${table.name.replaceAll('"', '""')}"`;
  const withoutRowid = /without\s+rowid/i.test(table.sql ?? '');
  const statement = db.prepare(`SELECT * FROM ${quoted}${withoutRowid ? '' : ' ORDER BY rowid'}`);
  statement.setReadBigInts(true);
  hash.update(`table ${table.name}\n`);
  for (const row of statement.iterate()) hash.update(`${encode(row)}\n`);
}

/**
 * A digest of what a database holds — its schema and every row, in key order — not of its bytes: a live WAL-mode
 * database and its online-backup snapshot hold the same rows in different pages (and part of the live one in its
 * -wal). Virtual tables are skipped (their shadow tables hold their content). `immutable`: a copy nobody writes,
 * opened without creating -wal/-shm beside it.
 */
export function databaseContentDigest(file: string, options: { immutable?: boolean } = {}): string {
  let location: string | URL = file;
  if (options.immutable) {
    location = pathToFileURL(file);
    location.searchParams.set('immutable', '1');
  }
  const db = new DatabaseSync(location, { readOnly: true, timeout: 5_000 });
  try {
    const hash = createHash('sha256');
    const objects = db
      .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' OR name = 'sqlite_sequence' ORDER BY type, name")
      .all() as Array<{ type: string; name: string; sql: string | null }>;
    for (const object of objects) hash.update(`${object.type} ${object.name} ${object.sql ?? ''}\n`);
    for (const table of objects) if (table.type === 'table' && !/^create\s+virtual/i.test(table.sql ?? '')) digestRows(db, table, hash);
    return hash.digest('hex');
  } finally {
    db.close();
  }
}
