// End-to-end test of big files: a 50 MB chat JSONL and a 40 MB CSV (both above the 32 MB
// whole-file limit) are picked through the real file input, validated as a stream in the
// worker with the whole quality report, and every problem is reported at its line while the
// page stays responsive.
//
// Run: node --test tests/e2e-stream.mjs      (after `trunk build --release --offline`)

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { startServer, REPO_ROOT } from './serve.mjs';
import { AfinaPage, CHROMIUM_ARGS, SEL } from './afina-page.mjs';
import { writeChatFile } from './chat-file.mjs';
import { writeReviewsCsv } from './csv-file.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(process.env.AFINA_DIST ?? resolve(REPO_ROOT, 'dist'));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = resolve(HERE, 'output');
const SIZE_MB = 50;
const CSV_SIZE_MB = 40;
const LONGEST_TASK_LIMIT_MS = 100;

describe('Afina big files', () => {
  let server;
  let scratch;
  let file;
  let expected;
  let csvFile;
  let csvExpected;

  before(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    scratch = mkdtempSync(join(tmpdir(), 'afina-stream-'));
    file = join(scratch, 'soporte.jsonl');
    expected = await writeChatFile(file, SIZE_MB);
    csvFile = join(scratch, 'opiniones.csv');
    csvExpected = await writeReviewsCsv(csvFile, CSV_SIZE_MB);
    server = await startServer({ dir: DIST, port: 0 });
  });

  after(async () => {
    await server?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test('a 50 MB JSONL streams through the worker with every error located', { timeout: 180_000 }, async () => {
    assert.ok(existsSync(resolve(DIST, 'index.html')), 'dist/ is built');
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const pageErrors = [];
    let app;
    try {
      const page = await browser.newPage({ locale: 'es-ES', viewport: { width: 1280, height: 900 } });
      page.on('pageerror', (err) => pageErrors.push(err.stack || String(err)));
      app = new AfinaPage(page);
      await app.installLongTaskObserver();
      await app.open(server.url);
      const start = await app.now();
      await page.locator('[data-testid=file-input]').setInputFiles(file);
      await page.locator('[data-testid=stream-progress]').waitFor({ timeout: 30_000 });
      const summary = page.locator('[data-testid=stream-summary][data-ms]');
      await summary.waitFor({ timeout: 150_000 });
      const ms = Number(await summary.getAttribute('data-ms'));
      const checkMs = Number(await summary.getAttribute('data-check-ms'));
      const bytes = Number(await summary.getAttribute('data-bytes'));
      const lines = Number(await summary.getAttribute('data-lines'));
      const memory = Number(await summary.getAttribute('data-wasm-memory'));
      const longest = await app.longestTaskSince(start);
      console.log(
        `stream: ${bytes} bytes in ${Math.round(ms)} ms (${(bytes / 1e3 / ms).toFixed(0)} MB/s; checking ${Math.round(checkMs)} ms), ` +
          `wasm memory ${(memory / 2 ** 20).toFixed(0)} MiB, longest main-thread task ${Math.round(longest)} ms`,
      );
      assert.equal(bytes, expected.bytes, 'every byte read');
      assert.equal(lines, expected.lines, 'every line counted');
      assert.equal(await app.rowCount(), expected.rows, 'valid rows');

      await page.locator('ul.findings[data-complete]').first().waitFor({ timeout: 30_000 });
      const findings = await page.locator(SEL.finding).evaluateAll((els) =>
        els.map((el) => ({ line: Number(el.dataset.line), code: el.dataset.code, severity: el.dataset.severity })),
      );
      const linesWith = (code) => findings.filter((f) => f.code === code).map((f) => f.line);
      assert.deepEqual(linesWith('invalid_json'), expected.invalidJsonLines, 'invalid_json lines');
      assert.deepEqual(linesWith('unrecognized_role'), [expected.roleLine], 'unrecognized_role line');
      assert.deepEqual(linesWith('blank_line'), [expected.blankLine], 'blank line');
      assert.deepEqual(linesWith('duplicate_row'), [expected.duplicateLine], 'duplicate line');
      // The whole quality report, streamed: personal data and mojibake at their lines.
      assert.ok(linesWith('personal_data').includes(expected.personalLine), `personal data on line ${expected.personalLine}`);
      assert.ok(linesWith('mojibake').includes(expected.mojibakeLine), `mojibake on line ${expected.mojibakeLine}`);
      const quality = new Set(findings.map((f) => f.code));
      console.log(`finding codes in the list: ${[...quality].sort().join(', ')}`);
      assert.equal(await page.locator('p.note').filter({ hasText: 'informe de calidad completo' }).count(), 1, 'the page says the whole report was made');
      const errorCount = Number(await page.locator('[data-testid=error-count]').getAttribute('data-value'));
      assert.equal(errorCount, expected.invalidJsonLines.length + 1, 'error count');

      // The token estimate, and its cost at a price the user types.
      const estimate = page.locator('[data-testid=token-estimate]');
      const billed = Number(await estimate.getAttribute('data-billed'));
      assert.ok(billed > expected.rows * 20, `billed tokens ${billed} look like a count`);
      await page.locator('[data-testid=token-price]').fill('10');
      await page.waitForFunction(
        (b) => Math.abs(Number(document.querySelector('[data-testid=token-estimate]').dataset.cost) - (b / 1e6) * 10) < 1e-6,
        billed,
      );

      assert.notEqual(longest, null, 'PerformanceObserver supports longtask entries');
      assert.ok(longest <= LONGEST_TASK_LIMIT_MS, `no main-thread task over ${LONGEST_TASK_LIMIT_MS} ms (longest ${Math.round(longest)} ms)`);
    } finally {
      if (app) await app.screenshot(resolve(OUTPUT, 'stream-es.png')).catch(() => {});
      await browser.close();
    }
    assert.deepEqual(pageErrors, [], 'no uncaught page errors');
  });

  test('a 40 MB CSV streams through the worker: quoted line breaks, CRLF, every error located', { timeout: 180_000 }, async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const pageErrors = [];
    let app;
    try {
      const page = await browser.newPage({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
      page.on('pageerror', (err) => pageErrors.push(err.stack || String(err)));
      app = new AfinaPage(page);
      await app.installLongTaskObserver();
      await app.open(server.url);
      const start = await app.now();
      await page.locator('[data-testid=file-input]').setInputFiles(csvFile);
      const summary = page.locator('[data-testid=stream-summary][data-ms]');
      await summary.waitFor({ timeout: 150_000 });
      const ms = Number(await summary.getAttribute('data-ms'));
      const bytes = Number(await summary.getAttribute('data-bytes'));
      const longest = await app.longestTaskSince(start);
      console.log(`stream (CSV): ${bytes} bytes in ${Math.round(ms)} ms (${(bytes / 1e3 / ms).toFixed(0)} MB/s), longest main-thread task ${Math.round(longest)} ms`);
      assert.equal(bytes, csvExpected.bytes, 'every byte read');
      assert.equal(Number(await summary.getAttribute('data-lines')), csvExpected.lines, 'every line counted');
      assert.equal(await app.rowCount(), csvExpected.rows, 'valid rows (the two-line quoted text is one)');
      assert.match(await summary.textContent(), /CSV \(,\)/u, 'the format is named');
      const labels = Object.entries(csvExpected.labels).sort(([a], [b]) => a.localeCompare(b));
      assert.equal(
        await page.locator('[data-testid=label-counts]').textContent(),
        labels.map(([label, rows]) => `${label}: ${rows}`).join(' · '),
        'rows per label',
      );

      await page.locator('ul.findings[data-complete]').first().waitFor({ timeout: 30_000 });
      const findings = await page.locator(SEL.finding).evaluateAll((els) =>
        els.map((el) => ({ line: Number(el.dataset.line), code: el.dataset.code })),
      );
      // The quality report's findings about the texts (similar texts, labels…) come too; the
      // rest is each planted problem at its line, and nothing else.
      const textQuality = new Set(['near_duplicate_text', 'similar_text', 'conflicting_labels', 'class_imbalance', 'low_diversity', 'label_variants', 'personal_data', 'mojibake']);
      console.log(`CSV finding codes listed: ${[...new Set(findings.map((f) => f.code))].sort().join(', ')}`);
      assert.deepEqual(
        findings.filter((f) => !textQuality.has(f.code)).map((f) => `${f.code}@${f.line}`).sort(),
        [
          `duplicate_row@${csvExpected.duplicateLine}`,
          `empty_text@${csvExpected.emptyTextLine}`,
          `missing_label@${csvExpected.missingLabelLine}`,
          `ragged_row@${csvExpected.raggedLine}`,
        ].sort(),
        'each problem at its line, and nothing else',
      );
      assert.ok(longest <= LONGEST_TASK_LIMIT_MS, `no main-thread task over ${LONGEST_TASK_LIMIT_MS} ms (longest ${Math.round(longest)} ms)`);
    } finally {
      if (app) await app.screenshot(resolve(OUTPUT, 'stream-csv-en.png')).catch(() => {});
      await browser.close();
    }
    assert.deepEqual(pageErrors, [], 'no uncaught page errors');
  });
});
