import type { Command } from 'commander';
import type { CommandIO, GlobalOptions } from '../context.js';
import { registerConfig } from './config.js';
import { registerCreate } from './create.js';
import { registerSessions } from './sessions.js';
import { registerDoctor } from './doctor.js';
import { registerService } from './service.js';
import { registerRestore } from './restore.js';
import { registerDaemon } from './daemon.js';
import { registerList } from './list.js';
import { registerPrune } from './prune.js';
import { registerRepository } from './repository.js';
import { registerRun } from './run.js';
import { registerStatus } from './status.js';
import { registerVerify } from './verify.js';
import { registerLs } from './ls.js';
import { registerFind } from './find.js';
import { registerDashboard } from './dashboard.js';
import { registerDiff } from './diff.js';
import { registerInfo } from './info.js';
import { registerRollbacks } from './rollbacks.js';
import { registerStateId } from './state-id.js';

/** Every command registers itself here, one line each. */
export function registerCommands(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  registerCreate(program, io, globals);
  registerVerify(program, io, globals);
  registerSessions(program, io, globals);
  registerConfig(program, io, globals);
  registerService(program, io, globals);
  registerDoctor(program, io, globals);
  registerRestore(program, io, globals);
  registerRun(program, io, globals);
  registerDaemon(program, io, globals);
  registerList(program, io, globals);
  registerPrune(program, io, globals);
  registerStatus(program, io, globals);
  registerLs(program, io, globals);
  registerFind(program, io, globals);
  registerDiff(program, io, globals);
  registerInfo(program, io, globals);
  registerRepository(program, io, globals);
  registerRollbacks(program, io, globals);
  registerDashboard(program, io, globals);
  registerStateId(program, io, globals);
}
