import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, unpackFixture } from './fixture.js';

/** Every path under root with its type, mode and content hash (or link target): equal snapshots = equal trees. */
export function snapshotTree(root: string, skip: (rel: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip(r)) continue;
      const abs = path.join(dir, name);
      const st = fs.lstatSync(abs);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[r] = `link ${fs.readlinkSync(abs)}`;
      else if (st.isDirectory()) {
        out[r] = `dir ${mode}`;
        walk(abs, r);
      } else out[r] = `file ${mode} ${createHash('sha256').update(fs.readFileSync(abs)).digest('hex')}`;
    }
  };
  if (fs.existsSync(root)) walk(root, '');
  return out;
}

/** A home with the real fixture unpacked and one of our archives of it (gzip unless told). */
export async function fixtureWithArchive(home: string, compress = 'gzip'): Promise<{ stateDir: string; archive: string }> {
  const stateDir = unpackFixture(home);
  // As if OpenClaw had been installed in this home: its config names workspace and agent dir by absolute path.
  const config = path.join(stateDir, 'openclaw.json');
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replaceAll('/home/openclaw/', `${home}/`));
  const archive = path.join(home, `backup.tar${compress === 'gzip' ? '.gz' : compress === 'zstd' ? '.zst' : ''}`);
  const created = await runCli(['create', '--output', archive, '--compress', compress], { env: { HOME: home } });
  if (created.code !== 0) throw new Error(`create failed: ${created.stderr}`);
  return { stateDir, archive };
}

/** Unpacks an archive with GNU tar (what a user would do) and returns the directory. */
export function gnuExtract(archive: string, into: string): string {
  fs.mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-C', into, '-xf', archive]);
  return into;
}
