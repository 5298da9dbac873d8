// Restores in place and kill -9s itself at one step of the swap: `node restore-at-step.mjs <dist> <archive> <index> <before|after>`.
// HOME names the home; index -1 restores to the end and prints the number of steps.
import path from 'node:path';

const [dist, archive, index, when] = process.argv.slice(2);
const { resolveStatePaths } = await import(path.join(dist, 'config', 'paths.js'));
const { loadConfig } = await import(path.join(dist, 'config', 'load.js'));
const { restoreArchive } = await import(path.join(dist, 'core', 'restore', 'restore-archive.js'));

const paths = resolveStatePaths({ env: process.env });
const config = await loadConfig(paths, { allowMissing: true });
let steps = 0;
await restoreArchive({
  archive,
  paths,
  openclaw: config.openclaw,
  backupDir: config.backupDir,
  onSwapStep: (step, at) => {
    if (step.index === Number(index) && at === when) process.kill(process.pid, 'SIGKILL');
    if (at === 'after') steps += 1;
  },
});
process.stdout.write(`${JSON.stringify({ steps })}\n`);
