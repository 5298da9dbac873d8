import { loadConfig, type LoadConfigOptions, type LoadedConfig } from '../config/load.js';
import { resolveStatePaths, type StatePaths } from '../config/paths.js';
import { escapeJsonText } from '../core/format.js';

/** Options every command accepts: where OpenClaw lives. */
export interface GlobalOptions {
  stateDir?: string;
  profile?: string;
  config?: string;
}

export interface CommandIO {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Where `import -` reads a document from (process.stdin when absent). */
  stdin?: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

export function resolvePaths(globals: GlobalOptions, io: CommandIO): StatePaths {
  return resolveStatePaths({ stateDir: globals.stateDir, profile: globals.profile, config: globals.config, env: io.env });
}

export async function loadContext(globals: GlobalOptions, io: CommandIO, options?: LoadConfigOptions): Promise<{ paths: StatePaths; config: LoadedConfig }> {
  const paths = resolvePaths(globals, io);
  const config = await loadConfig(paths, options);
  return { paths, config };
}

export function printJson(io: CommandIO, value: unknown): void {
  io.stdout.write(`${escapeJsonText(JSON.stringify(value, null, 2))}\n`);
}
