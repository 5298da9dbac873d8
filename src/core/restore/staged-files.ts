import path from 'node:path';
import { IntegrityError } from '../../errors.js';
import { NotRegularError, readRegularNoFollow, rewriteRegularNoFollow } from '../fs/no-follow.js';

/** Configs are small; a bigger "config" is not read into memory. */
const MAX_CONFIG_BYTES = 16 << 20;

function refuse(rel: string, error: unknown): never {
  if (error instanceof NotRegularError) {
    throw new IntegrityError(
      `${rel}: the archive's config is a ${error.found}, not a regular file; restore never reads or writes through it`,
      { cause: error },
    );
  }
  throw error;
}

/** Reads a staged config: only a regular file, opened without following a link or blocking on a FIFO. */
export async function readStagedText(staging: string, rel: string): Promise<string> {
  try {
    return (await readRegularNoFollow(path.join(staging, rel), MAX_CONFIG_BYTES)).toString('utf8');
  } catch (error) {
    return refuse(rel, error);
  }
}

/** Rewrites a staged config in place, never through a link. */
export async function writeStagedText(staging: string, rel: string, text: string): Promise<void> {
  try {
    await rewriteRegularNoFollow(path.join(staging, rel), text);
  } catch (error) {
    refuse(rel, error);
  }
}
