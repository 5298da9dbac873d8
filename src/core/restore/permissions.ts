import os from 'node:os';
import type { Component } from '../components.js';
import { chmodNoFollow } from '../fs/no-follow.js';

export { chmodNoFollow };

export interface PermissionReport {
  owner: { uid: number | null; gid: number | null; user: string };
  stateDirMode: string;
  /** Files set to 0600: credentials, config, databases and their -wal/-shm. */
  privateFiles: number;
}

const DATABASE_NAME = /\.(sqlite3?|db)(-wal|-shm|-journal)?$/;

/** Whether a restored file must be private (0600). */
export function isPrivateFile(rel: string, component: Component | undefined, database: boolean | undefined): boolean {
  return component === 'credentials' || component === 'config' || Boolean(database) || DATABASE_NAME.test(rel);
}

/** Files are created by this process, so they belong to whoever runs restore; this says who that is. */
export function ownerReport(privateFiles: number): PermissionReport {
  const info = os.userInfo();
  return {
    owner: { uid: process.getuid?.() ?? null, gid: process.getgid?.() ?? null, user: info.username },
    stateDirMode: '0700',
    privateFiles,
  };
}
