import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';

/** Which machine this is: an opaque fingerprint of the OS's own machine id, and where that id came from. */
export interface MachineFingerprint {
  id: string;
  source: 'machine-id' | 'IOPlatformUUID' | 'hostid';
}

/**
 * machine-id(5) asks applications never to use or show the raw id, only a hash of it keyed for the application:
 * what the identity file records is that hash.
 */
function fingerprint(raw: string, source: MachineFingerprint['source']): MachineFingerprint {
  return { id: createHash('sha256').update(`openclaw-backup machine\0${raw}`).digest('hex').slice(0, 16), source };
}

async function readId(file: string): Promise<string | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const id = text.trim();
  // systemd writes "uninitialized" into an image's machine-id until first boot: not an id.
  return id && id !== 'uninitialized' ? id : undefined;
}

function ioPlatformUuid(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('ioreg', ['-rd1', '-c', 'IOPlatformExpertDevice'], { timeout: 5_000 }, (error, stdout) => {
      resolve(error ? undefined : /"IOPlatformUUID"\s*=\s*"([^"]+)"/.exec(String(stdout))?.[1]);
    });
  });
}

let cached: Promise<MachineFingerprint | undefined> | undefined;

/**
 * The machine's fingerprint: Linux /etc/machine-id (or D-Bus's copy), macOS IOPlatformUUID, FreeBSD /etc/hostid.
 * undefined when the platform gives none: then a state is never re-keyed for having changed machines, because a
 * hostname (the only other candidate) changes with the network on macOS and would split a series for nothing.
 */
export function machineFingerprint(): Promise<MachineFingerprint | undefined> {
  cached ??= (async () => {
    if (process.platform === 'darwin') {
      const uuid = await ioPlatformUuid();
      return uuid ? fingerprint(uuid, 'IOPlatformUUID') : undefined;
    }
    const machineId = (await readId('/etc/machine-id')) ?? (await readId('/var/lib/dbus/machine-id'));
    if (machineId) return fingerprint(machineId, 'machine-id');
    const hostId = await readId('/etc/hostid');
    return hostId ? fingerprint(hostId, 'hostid') : undefined;
  })();
  return cached;
}
