import type { DoctorCheck } from './types.js';

/** What the store knows about itself: for a repository, restic's version, the password file, reachability, the last snapshot. */
export const checkStore: DoctorCheck = async (context) => context.store.diagnose(context.now, context.signal);
