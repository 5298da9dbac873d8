export function generateSizedState(stateDir: string, bytes: number, seed?: number): { files: number; bytes: number };
export function applyNightlyChange(stateDir: string, night: number): number;
