import fs from 'node:fs/promises';
import path from 'node:path';
import { readArchiveHeader } from '../reader/read-header.js';
import { parseArchiveFileName } from '../archive/naming.js';
import { BackupError, describeFsError } from '../../errors.js';
import { PARTIAL_SUFFIX } from '../fs/temp-files.js';
import type { DecryptionKey } from '../crypto/keys.js';
import { readEncryptedHeader } from '../reader/read-encrypted-header.js';
import { isStateId } from '../identity/identity-file.js';
import type { StoredBackup } from './types.js';

/** One archive this tool made for this state dir and profile: a StoredBackup known by its header or its name. */
export type CatalogEntry = Omit<StoredBackup, 'recognisedBy' | 'snapshot' | 'repository' | 'sizeUnknown' | 'suspect'> & {
  recognisedBy: 'header' | 'name';
};

export interface Catalog {
  dir: string;
  /** Newest first. */
  archives: CatalogEntry[];
  /** Archive-looking files that are not ours to count or delete, with why. */
  ignored: { file: string; reason: string }[];
}

export interface CatalogOptions {
  dir: string;
  stateDir: string;
  profile: string;
  /** list --details: decrypt encrypted archives' headers with this key. Never used for retention. */
  decrypt?: DecryptionKey | undefined;
}

const TAR_NAME = /\.(tar|tar\.gz|tgz|tar\.zst)$/;

function stampToIso(stamp: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z` : stamp;
}

function headerIdentity(header: { stateId?: unknown; host?: { hostname?: unknown } }): Pick<CatalogEntry, 'stateId' | 'hostname'> {
  return {
    ...(isStateId(header.stateId) ? { stateId: header.stateId } : {}),
    ...(typeof header.host?.hostname === 'string' ? { hostname: header.host.hostname } : {}),
  };
}

async function describeFile(file: string, options: CatalogOptions): Promise<CatalogEntry | { ignored: string } | undefined> {
  const name = path.basename(file);
  const stat = await fs.lstat(file).catch(() => undefined);
  if (!stat?.isFile()) return undefined;
  const parsed = parseArchiveFileName(name);
  if (name.endsWith('.age')) {
    if (!parsed) return undefined;
    if (parsed.profile !== options.profile) return { ignored: `profile ${parsed.profile}` };
    const byName: CatalogEntry = {
      archive: file,
      createdAt: stampToIso(parsed.stamp),
      bytes: stat.size,
      components: null,
      encrypted: true,
      profile: parsed.profile,
      recognisedBy: 'name',
    };
    if (!options.decrypt) return byName;
    try {
      const header = await readEncryptedHeader(file, options.decrypt);
      return {
        ...byName,
        createdAt: header.createdAt,
        components: header.components,
        profile: header.profile,
        recognisedBy: 'header',
        ...headerIdentity(header),
      };
    } catch (error) {
      return { ...byName, unreadable: (error as Error).message.replace(`${file}: `, '') };
    }
  }
  if (!TAR_NAME.test(name)) return undefined;
  let header;
  try {
    header = await readArchiveHeader(file);
  } catch (error) {
    return { ignored: (error as Error).message.replace(`${file}: `, '') };
  }
  if (header.profile !== options.profile) return { ignored: `profile ${header.profile}` };
  if (path.resolve(header.stateDir) !== path.resolve(options.stateDir)) return { ignored: `state dir ${header.stateDir}` };
  return {
    archive: file,
    createdAt: header.createdAt,
    bytes: stat.size,
    components: header.components,
    encrypted: false,
    profile: header.profile,
    recognisedBy: 'header',
    ...headerIdentity(header),
  };
}

/**
 * Newest first, by the second, then by the -N that orders backups of one second, then by milliseconds where the
 * header has them: an encrypted archive's time (read from its name) has none, so milliseconds alone would put a
 * plain archive after an encrypted one made later in the same second. Every list of backups is ordered by this
 * (catalog, `list`, retention): one that sorted by milliseconds alone showed and counted them in another order.
 */
export function newestBackupFirst(a: Pick<StoredBackup, 'createdAt' | 'archive'>, b: Pick<StoredBackup, 'createdAt' | 'archive'>): number {
  const [ta, tb] = [Date.parse(a.createdAt), Date.parse(b.createdAt)];
  const bySecond = Math.floor(tb / 1000) - Math.floor(ta / 1000);
  const collision = (entry: Pick<StoredBackup, 'archive'>) => parseArchiveFileName(path.basename(entry.archive))?.collision ?? 0;
  return bySecond || collision(b) - collision(a) || tb - ta || b.archive.localeCompare(a.archive);
}

/**
 * Lists our archives in a backups dir: each tar is confirmed by its header entry (format, profile, state dir), so
 * another profile's archives and unrelated files are never counted. `*.partial` and hidden files are skipped.
 */
export async function listArchives(options: CatalogOptions): Promise<Catalog> {
  const catalog: Catalog = { dir: options.dir, archives: [], ignored: [] };
  let names: string[];
  try {
    names = await fs.readdir(options.dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return catalog;
    throw new BackupError('failure', `cannot read backups dir ${options.dir}: ${describeFsError(error)}`, { cause: error });
  }
  for (const name of names.sort()) {
    if (name.startsWith('.') || name.endsWith(PARTIAL_SUFFIX)) continue;
    const file = path.join(options.dir, name);
    const described = await describeFile(file, options);
    if (!described) continue;
    if ('ignored' in described) catalog.ignored.push({ file, reason: described.ignored });
    else catalog.archives.push(described);
  }
  catalog.archives.sort(newestBackupFirst);
  return catalog;
}
