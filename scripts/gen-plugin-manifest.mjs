// Writes openclaw.plugin.json (its configSchema from the backup block's zod schema) from the built dist/.
// Run through `npm run docs:config`; test/unit/config/plugin-manifest.test.ts fails when the file drifts.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderPluginManifestText } from '../dist/config/plugin-manifest.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
fs.writeFileSync(path.join(root, 'openclaw.plugin.json'), renderPluginManifestText());
console.log('wrote openclaw.plugin.json');
