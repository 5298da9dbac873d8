// Writes config.example.json5 and the README's key table from the backup block's schema (built dist/).
// Run through `npm run docs:config`; test/unit/config/schema-docs.test.ts fails when either file drifts.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderConfigExample, withKeyTable } from '../dist/config/schema-docs.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
fs.writeFileSync(path.join(root, 'config.example.json5'), renderConfigExample());
const readme = path.join(root, 'README.md');
fs.writeFileSync(readme, withKeyTable(fs.readFileSync(readme, 'utf8')));
console.log('wrote config.example.json5 and the README key table');
