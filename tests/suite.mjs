// Set-up shared by the end-to-end test files: the static server and headless Chromium.

import { after, before } from 'node:test';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

import { startServer } from './serve.mjs';
import { CHROMIUM_ARGS } from './afina-page.mjs';

/**
 * For a `describe` block: starts the static server on `dist` and headless Chromium before its
 * tests and closes both after. The returned object's `server` and `browser` are set once the
 * `before` hook has run.
 */
export function serveAndLaunch({ dist, output, chromium: executablePath = '/usr/bin/chromium' }) {
  const suite = { server: null, browser: null };
  before(async () => {
    mkdirSync(output, { recursive: true });
    suite.server = await startServer({ dir: dist, port: 0 });
    suite.browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}
