/**
 * V8 flags every openclaw-backup process runs with: the bin's shebang (src/cli/main.ts) and the service units pass
 * them, since a process cannot set them on itself once V8 has started. A 1 MiB semi-space keeps the young
 * generation small: our garbage is short-lived chunk and entry objects, and V8 otherwise grows the young generation
 * to tens of MiB under that allocation rate, which showed up as tens of MiB of peak RSS at no gain in speed (bench/).
 */
export const NODE_FLAGS = ['--max-semi-space-size=1'] as const;
