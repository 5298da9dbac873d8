import fs from 'node:fs/promises';
import { writeFileAtomic } from '../fs/atomic.js';
import { pathExists } from '../fs/exists.js';

/** How many rotated copies OpenClaw keeps: openclaw.json.bak, .bak.1 … .bak.4. */
export const BACKUP_RING = 4;

/** True when JSON5 text has a // or /* comment outside strings: writing it back as JSON would drop it. */
export function hasJson5Comments(text: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) return true;
  }
  return false;
}

/**
 * OpenClaw's rotation: drop .bak.4, shift .bak.3→.bak.4 … .bak→.bak.1, then the current file's bytes become .bak
 * (mode 0600). Returns the path of the fresh copy.
 */
export async function rotateConfigBackups(configPath: string, currentText: string): Promise<string> {
  const base = `${configPath}.bak`;
  await fs.rm(`${base}.${BACKUP_RING}`, { force: true });
  for (let index = BACKUP_RING - 1; index >= 0; index--) {
    const from = index === 0 ? base : `${base}.${index}`;
    if (await pathExists(from)) await fs.rename(from, `${base}.${index + 1}`);
  }
  await writeFileAtomic(base, currentText, 0o600);
  return base;
}

/** Writes the config as pretty JSON, atomically, mode 0600, after keeping the current file in the .bak ring. */
export async function writeConfigFile(configPath: string, config: unknown, currentText: string | undefined): Promise<{ backup?: string }> {
  const backup = currentText === undefined ? undefined : await rotateConfigBackups(configPath, currentText);
  await writeFileAtomic(configPath, `${JSON.stringify(config, null, 2)}\n`, 0o600);
  return backup ? { backup } : {};
}
