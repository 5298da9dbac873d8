import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { waitFor } from './process.js';

/** Debian's chromium (scripts/setup.sh installs it); playwright-core drives it and downloads nothing. */
export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface DashboardShot {
  port: number;
  token: string;
  /** What the widget must show before the screenshot is taken. */
  expect: RegExp;
  file: string;
  /** Control UI path of the board: the main agent's main session. */
  route?: string;
  timeoutMs?: number;
}

/**
 * Opens a session's dashboard in the Control UI of the gateway on 127.0.0.1 in headless Chromium (token in the URL
 * fragment, which the UI moves into sessionStorage), waits until a widget frame (the sandbox is a nested
 * iframe on another port) shows `expect`, takes a screenshot and returns that frame's text.
 */
export async function screenshotDashboard(shot: DashboardShot): Promise<string> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/setup.sh (it installs Debian's chromium)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const base = `http://127.0.0.1:${shot.port}`;
    // One navigation: the UI takes the token from the fragment on load (a second navigation right away would
    // leave before it has kept it).
    await page.goto(`${base}${shot.route ?? '/dashboard/main'}#token=${shot.token}`);
    const seen: string[] = [];
    const text = await waitFor(
      async () => {
        seen.length = 0;
        for (const frame of page.frames()) {
          // Runs in the page: the body's text (this file is compiled without the DOM lib).
          const body = await frame.evaluate('document.body ? document.body.innerText : ""').then(String, () => '');
          seen.push(body.slice(0, 300));
          if (shot.expect.test(body)) return body;
        }
        return undefined;
      },
      shot.timeoutMs ?? 90_000,
      () => `no frame of ${base}${shot.route ?? '/dashboard/main'} showed ${shot.expect}; frames said:\n${seen.join('\n---\n')}`,
    );
    await page.screenshot({ path: shot.file });
    return text;
  } finally {
    await browser.close();
  }
}
