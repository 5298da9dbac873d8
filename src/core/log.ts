/**
 * The logging surface core code writes to (pino's Logger satisfies it). Core never prints; the CLI and the
 * daemon pass a logger in. `debug` carries per-phase timings and decisions (LOG_LEVEL=debug); no level carries
 * a secret.
 */
export interface Log {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };
