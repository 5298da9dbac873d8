import path from 'node:path';
import { CLI, DEFAULT_FIXTURE, REPO_ROOT } from '../../helpers/fixture.js';

/**
 * Where the container sees this checkout (bound read-only): at its own path, except a checkout under /tmp, which is
 * bound at /opt instead. A unit with PrivateTmp= gets a /tmp of its own, and once PrivateUsers= applies it (systemd
 * 253+, and the repository test's drop-in) a checkout under /tmp would vanish from the unit: no node for ExecStart.
 */
export const CHECKOUT = REPO_ROOT === '/tmp' || REPO_ROOT.startsWith('/tmp/') ? '/opt/openclaw-backup-checkout' : REPO_ROOT;

/** nspawn's --bind-ro= argument for the checkout. */
export const CHECKOUT_BIND = CHECKOUT === REPO_ROOT ? REPO_ROOT : `${REPO_ROOT}:${CHECKOUT}`;

/** A path of the checkout as the container sees it. */
export const inContainer = (hostPath: string): string => path.join(CHECKOUT, path.relative(REPO_ROOT, hostPath));

/** The built CLI, the project's Node 24 and the default OpenClaw fixture, inside the container. */
export const CONTAINER_CLI = inContainer(CLI);
export const CONTAINER_NODE = inContainer(path.join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node'));
export const CONTAINER_FIXTURE = inContainer(DEFAULT_FIXTURE);
