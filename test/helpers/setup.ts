import { afterAll } from 'vitest';
import { removeTempDirs } from './temp.js';

// Loaded before every test file (setupFiles): whatever makeTempDir made is removed when the file is done.
afterAll(() => removeTempDirs());
