import { spawn } from 'node:child_process';
import { OUR_CLI } from './our-cli.js';

/**
 * Hands a command over to our CLI in a child process on OpenClaw's Node: same terminal (stdio inherited), same
 * environment, its exit code becomes ours. Ctrl-C reaches both (one process group); the child's 130 is passed on.
 */
export function runOurCli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [OUR_CLI, ...args], { stdio: 'inherit', env });
    child.once('error', (error) => {
      process.stderr.write(`openclaw-backup: cannot start ${OUR_CLI}: ${error.message}\n`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });
}
