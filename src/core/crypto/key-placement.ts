import { isInside } from '../../config/paths.js';
import type { EncryptSettings } from '../../config/schema.js';
import { ConfigError } from '../../errors.js';

/**
 * A passphrase file in the backups dir would be uploaded next to the archives (postBackup copies that dir
 * offsite): refused. One in the state dir is sealed inside the archives it unlocks: a warning.
 */
export function checkKeyPlacement(
  settings: EncryptSettings | undefined,
  places: { backupDir: string; stateDir: string; resolvePath: (file: string) => string },
  warn: (message: string) => void,
): void {
  if (settings?.passphraseFile === undefined) return;
  const file = places.resolvePath(settings.passphraseFile);
  if (isInside(places.backupDir, file)) {
    throw new ConfigError(
      `passphrase file ${file} is inside the backups dir ${places.backupDir}, which is copied offsite with the archives; keep it elsewhere`,
    );
  }
  if (isInside(places.stateDir, file))
    warn(`passphrase file ${file} is inside the state dir: a restore on a new machine needs a copy kept elsewhere`);
}
