import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Why a config file that sets postBackup is unsafe to obey, or undefined when it is safe: anyone who can write the
 * file (or replace it in its directory) can run commands as this user. The daemon refuses the hook in that case.
 */
export async function findUnsafeConfigWriter(configPath: string, uid: number): Promise<string | undefined> {
  const file = await fs.stat(configPath).catch(() => undefined);
  if (!file) return undefined;
  if (file.uid !== uid) return `${configPath} is owned by uid ${file.uid}, not by this user (uid ${uid})`;
  if ((file.mode & 0o022) !== 0) return `${configPath} is writable by ${file.mode & 0o002 ? 'others' : 'its group'} (mode ${(file.mode & 0o777).toString(8).padStart(4, '0')})`;
  const dirPath = path.dirname(configPath);
  const dir = await fs.stat(dirPath).catch(() => undefined);
  const sticky = dir ? (dir.mode & 0o1000) !== 0 : false;
  if (dir && (dir.mode & 0o022) !== 0 && !sticky) {
    return `${dirPath} (holding the config) is writable by ${dir.mode & 0o002 ? 'others' : 'its group'} (mode ${(dir.mode & 0o777).toString(8).padStart(4, '0')}): anyone there can replace the file`;
  }
  return undefined;
}
