// Benchmark (prints figures, asserts nothing): validating a big chat JSONL in the browser
// (streamed in chunks through the worker) against the Python cookbook checks on the same
// file, in one run on this machine. Also reports the peak memory of the browser's
// processes and the worker's WebAssembly memory.
//
// Run: node tests/bench-validate-browser.mjs [SIZE_MB=512]   (after `trunk build --release --offline`)
// Needs ../shared/bench/validate beside the repository; the data goes to $TMPDIR.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

import { startServer, REPO_ROOT } from './serve.mjs';
import { AfinaPage, CHROMIUM_ARGS } from './afina-page.mjs';

const SIZE_MB = Number(process.argv[2] ?? 512);
const SHARED = resolve(REPO_ROOT, '..', 'shared', 'bench', 'validate');
const DIST = resolve(process.env.AFINA_DIST ?? resolve(REPO_ROOT, 'dist'));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const dataDir = join(process.env.TMPDIR ?? tmpdir(), 'afina-bench');
const data = join(dataDir, `chat-${SIZE_MB}mb.jsonl`);

mkdirSync(dataDir, { recursive: true });
if (!existsSync(data)) {
  execFileSync('python3', [join(SHARED, 'gen_chat.py'), data, String(SIZE_MB)], { stdio: 'inherit' });
}
const size = statSync(data).size;
console.log(`file: ${data} (${size} bytes)`);

const python = JSON.parse(execFileSync('python3', [join(SHARED, 'openai_checks.py'), data], { encoding: 'utf8' }));
const pythonMbs = size / 1e6 / python.seconds;
console.log(`Python cookbook checks: ${python.seconds} s, ${pythonMbs.toFixed(1)} MB/s, errors ${JSON.stringify(python.errors)}`);

/** Peak resident memory (VmHWM, KiB) of every running Chromium process, by pid. */
function chromiumPeaks() {
  const peaks = {};
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('chromium')) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
      const type = /--type=([a-z-]+)/.exec(cmdline)?.[1] ?? 'browser';
      if (hwm) peaks[pid] = { type, kib: Number(hwm[1]) };
    } catch {
      // The process ended meanwhile.
    }
  }
  return peaks;
}

const server = await startServer({ dir: DIST, port: 0 });
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ locale: 'en-US' });
  const app = new AfinaPage(page);
  await app.installLongTaskObserver();
  await app.open(server.url);
  const start = await app.now();
  await page.locator('[data-testid=file-input]').setInputFiles(data);
  const summary = page.locator('[data-testid=stream-summary][data-ms]');
  await summary.waitFor({ timeout: 600_000 });
  const ms = Number(await summary.getAttribute('data-ms'));
  const checkMs = Number(await summary.getAttribute('data-check-ms'));
  const bytes = Number(await summary.getAttribute('data-bytes'));
  const wasm = Number(await summary.getAttribute('data-wasm-memory'));
  const errors = Number(await page.locator('[data-testid=error-count]').getAttribute('data-value'));
  const longest = await app.longestTaskSince(start);
  const tasks = await page.evaluate((since) => (window.__afinaLongTasks ?? [])
    .filter((t) => t.start >= since && t.duration >= 50)
    .map((t) => `${Math.round(t.start - since)}+${Math.round(t.duration)}`), start);
  const shown = await page.evaluate(() => performance.now());
  const peaks = Object.values(chromiumPeaks());
  const renderer = Math.max(0, ...peaks.filter((p) => p.type === 'renderer').map((p) => p.kib));
  const total = peaks.reduce((sum, p) => sum + p.kib, 0);
  const mbs = bytes / 1e3 / ms;
  console.log(`browser (worker, streamed): ${(ms / 1000).toFixed(2)} s, ${mbs.toFixed(1)} MB/s, ${errors} errors`);
  console.log(`of which checking bytes in wasm: ${(checkMs / 1000).toFixed(2)} s (${(bytes / 1e3 / checkMs).toFixed(1)} MB/s); the rest waits for the browser to read the file`);
  console.log(`ratio browser / python: ${(mbs / pythonMbs).toFixed(2)}x (issue 18: the whole report, target >= 1x)`);
  console.log(`worker wasm memory at the end (its peak): ${(wasm / 2 ** 20).toFixed(0)} MiB`);
  console.log(`peak RSS: largest renderer process ${(renderer / 1024).toFixed(0)} MiB; all Chromium processes summed ${(total / 1024).toFixed(0)} MiB`);
  console.log(`longest main-thread task while validating: ${longest === null ? 'n/a' : Math.round(longest)} ms`);
  console.log(`main-thread tasks of 50 ms or more (ms after choosing the file + duration): ${tasks.join(', ') || 'none'}; report shown by ${Math.round(shown - start)} ms`);
} finally {
  await browser.close();
  await server.close();
}
