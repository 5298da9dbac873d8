import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir, unpackFixture } from './fixture.js';

export interface FixtureHome {
  root: string;
  home: string;
  stateDir: string;
  out: string;
  env: NodeJS.ProcessEnv;
}

/** A temp root with the real fixture unpacked at <root>/home/.openclaw, an output dir and a private TMPDIR. */
export function makeFixtureHome(prefix: string): FixtureHome {
  const root = makeTempDir(prefix);
  const home = path.join(root, 'home');
  const stateDir = unpackFixture(home);
  const out = path.join(root, 'out');
  const tmp = path.join(root, 'tmp');
  fs.mkdirSync(out, { mode: 0o700 });
  fs.mkdirSync(tmp, { mode: 0o700 });
  return { root, home, stateDir, out, env: { HOME: home, TMPDIR: tmp } };
}

/** Puts a backup block under the plugin entry of the fixture's openclaw.json (the place OpenClaw accepts). */
export function setBackupBlock(stateDir: string, block: Record<string, unknown>): void {
  const file = path.join(stateDir, 'openclaw.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { plugins: { entries: Record<string, unknown> } };
  config.plugins.entries['openclaw-backup'] = { config: block };
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
}

export function onlyFile(dir: string, suffix: string): string {
  const names = fs.readdirSync(dir).filter((n) => n.endsWith(suffix));
  if (names.length !== 1) throw new Error(`expected one *${suffix} in ${dir}, found ${names.join(', ') || 'none'}`);
  return path.join(dir, names[0] as string);
}
