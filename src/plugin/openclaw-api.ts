/**
 * The part of OpenClaw's plugin API (2026.9.6, `OpenClawPluginApi`) this plugin uses, typed structurally: the
 * entry imports nothing from `openclaw` at run time, and a host that lacks a method gets a logged warning, not a
 * crash.
 */

export type RegistrationMode = 'full' | 'discovery' | 'tool-discovery' | 'setup-only' | 'setup-runtime' | 'cli-metadata' | (string & {});

export interface PluginLogger {
  info?: (message: string) => void;
  warn?: (message: string) => void;
  error?: (message: string) => void;
}

/** The bits of a commander `Command` the registrar touches (OpenClaw hands over its own commander instance). */
export interface CommandLike {
  command(name: string): CommandLike;
  description(text: string): CommandLike;
  argument(name: string, description?: string): CommandLike;
  allowUnknownOption(allow?: boolean): CommandLike;
  helpOption(flags: string | boolean, description?: string): CommandLike;
  action(fn: (...args: unknown[]) => void | Promise<void>): CommandLike;
}

export interface CliContext {
  program: CommandLike;
}

export interface GatewayError {
  code: string;
  message: string;
  details?: unknown;
  retryable?: boolean;
}

export interface GatewayRequest {
  params: Record<string, unknown>;
  respond: (ok: boolean, payload?: unknown, error?: GatewayError) => void;
}

export interface PluginApi {
  id: string;
  registrationMode: RegistrationMode;
  logger?: PluginLogger;
  runtime?: { state?: { resolveStateDir?: (env?: NodeJS.ProcessEnv) => string } };
  registerCli?: (
    registrar: (ctx: CliContext) => void | Promise<void>,
    opts?: {
      descriptors?: Array<{
        name: string;
        description: string;
        hasSubcommands: boolean;
        machineOutput?: (params: { argv: readonly string[]; stdoutIsTTY: boolean }) => boolean;
      }>;
    },
  ) => void;
  registerGatewayMethod?: (
    method: string,
    handler: (request: GatewayRequest) => void | Promise<void>,
    opts?: { scope?: 'operator.read' | 'operator.write' | 'operator.admin'; profileAccess?: 'independent' | 'required' },
  ) => void;
}
