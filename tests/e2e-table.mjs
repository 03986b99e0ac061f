// End-to-end test of the rows table with 100,000 rows: it is virtual (some 60 rows are drawn at
// a time), scrolls from top to bottom with no main-thread task over 100 ms, searches, marks a
// finding's row deep in the file, keeps its place after an edit, and prepares a safe fix in
// the reader worker.
//
// Run: node --test tests/e2e-table.mjs      (after `trunk build --release --offline`)

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { REPO_ROOT } from './serve.mjs';
import { serveAndLaunch } from './suite.mjs';
import { AfinaPage } from './afina-page.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(process.env.AFINA_DIST ?? resolve(REPO_ROOT, 'dist'));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = resolve(HERE, 'output');
const ROWS = 100_000;
const LONGEST_TASK_LIMIT_MS = 100;
const LABELS = ['positivo', 'negativo', 'neutral'];
// Deep in the file: a row without a label (an error: not a row) and a copy of row 12 (a
// warning about a row of the table).
const BROKEN_ROW = 87_654;
const COPY_ROW = 76_543;

// Words to draw reviews from (a fixed generator, so every run reads the same file).
const WORDS = ('comida servicio mesa plato postre vino camarero cuenta precio sabor carne pescado ' +
  'arroz paella sopa ensalada pan café terraza ruido música reserva espera cocina menú ración ' +
  'fría caliente rica sosa salada dulce amable lento rápido caro barato limpio sucio grande ' +
  'pequeño tarde pronto siempre nunca bien mal regular excelente horrible normal volveré jamás ' +
  'recomiendo evitad sorprendente decepcionante correcto agradable ruidoso tranquilo').split(' ');

/** Review `i`: nine words drawn by a small linear congruential generator seeded with `i`. */
function review(i) {
  let state = (i * 2654435761) >>> 0;
  const words = [];
  for (let n = 0; n < 9; n += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    words.push(WORDS[state % WORDS.length]);
  }
  return `Reseña ${i}: ${words.join(' ')}`;
}

/** A CSV of `ROWS` reviews (row `n` is file line `n + 1`). */
function bigCsv() {
  const lines = ['texto,etiqueta'];
  for (let i = 1; i <= ROWS; i += 1) {
    if (i === BROKEN_ROW) lines.push(`${review(i)},`);
    else if (i === COPY_ROW) lines.push(`${review(12)},${LABELS[12 % 3]}`);
    else lines.push(`${review(i)},${LABELS[i % 3]}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('Afina: the rows table with 100,000 rows', () => {
  const suite = serveAndLaunch({ dist: DIST, output: OUTPUT, chromium: CHROMIUM });

  test('scrolls, searches and marks rows smoothly', { timeout: 180_000 }, async () => {
    const page = await suite.browser.newPage({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    const app = new AfinaPage(page);
    await app.installLongTaskObserver();
    await app.open(suite.server.url);

    // The file is made in the page first, so that the time and the tasks measured are the
    // app's, not those of handing 5 MB of text to the page.
    await page.evaluate((text) => { window.__bigFile = new File([text], 'grande.csv', { type: 'text/csv' }); }, bigCsv());
    const loadStart = await app.now();
    await page.locator('[data-testid=drop-zone]').evaluate((zone) => {
      const dt = new DataTransfer();
      dt.items.add(window.__bigFile);
      for (const kind of ['dragenter', 'dragover', 'drop']) {
        zone.dispatchEvent(new DragEvent(kind, { bubbles: true, cancelable: true, composed: true, dataTransfer: dt }));
      }
    });
    // While the reader works, the page shows how far it has got and the time left.
    const progress = await page.waitForFunction(() => {
      const note = document.querySelector('[data-testid=reading]');
      const done = Number(note?.dataset.done);
      const eta = note?.querySelector('[data-testid=reading-eta]')?.textContent ?? '';
      return done > 0 && done < 1 && /^ \d+ % · about \d+ s left$/u.test(eta) ? { done, eta } : null;
    }, null, { timeout: 60_000, polling: 20 }).then((handle) => handle.jsonValue());
    console.log(`table: while reading, the page showed${progress.eta} (${(progress.done * 100).toFixed(0)} % done)`);
    assert.equal(await page.locator('[data-testid=reading] progress').getAttribute('max'), '1', 'a determinate bar');
    assert.equal(await app.rowCount({ timeout: 120_000 }), ROWS - 1, 'every labelled row is read');
    await app.findings();
    const rows = page.locator('[data-testid=rows] tbody tr[data-line]');
    await rows.first().waitFor();
    const loadMs = (await app.now()) - loadStart;
    const loadLongest = await app.longestTaskSince(loadStart);
    console.log(`table: ${ROWS} rows read and drawn in ${Math.round(loadMs)} ms (longest main-thread task ${Math.round(loadLongest)} ms)`);
    assert.ok(loadLongest <= LONGEST_TASK_LIMIT_MS, `no main-thread task over ${LONGEST_TASK_LIMIT_MS} ms while the file is read (longest ${Math.round(loadLongest)} ms)`);

    const drawn = await rows.count();
    assert.ok(drawn > 10 && drawn <= 100, `only the rows near the view are drawn: ${drawn}`);
    const box = page.locator('[data-testid=rows-scroll]');
    const { scrollHeight, rowHeight } = await box.evaluate((el) => ({
      scrollHeight: el.scrollHeight,
      rowHeight: el.querySelector('tbody tr[data-line]').getBoundingClientRect().height,
    }));
    assert.ok(scrollHeight >= (ROWS - 1) * rowHeight * 0.99, `the box is as tall as every row: ${scrollHeight} px for rows of ${rowHeight} px`);

    // Scroll through the whole table in 50 steps, each drawn in a frame, then by the wheel.
    const scrollStart = await app.now();
    const steps = await box.evaluate(async (el) => {
      const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
      const seen = [];
      let slowest = 0;
      for (let step = 0; step <= 50; step += 1) {
        const before = performance.now();
        el.scrollTop = ((el.scrollHeight - el.clientHeight) * step) / 50;
        await frame();
        await frame();
        slowest = Math.max(slowest, performance.now() - before);
        // The first row whose bottom is inside the box must be drawn.
        const top = el.getBoundingClientRect().top + el.querySelector('thead').getBoundingClientRect().height;
        const inView = [...el.querySelectorAll('tbody tr[data-line]')].find((tr) => tr.getBoundingClientRect().bottom > top + 1);
        seen.push(inView ? Number(inView.dataset.line) : null);
      }
      return { seen, slowest };
    });
    assert.ok(steps.seen.every((line) => line !== null), `a drawn row is in view after every step: ${steps.seen}`);
    for (let step = 1; step < steps.seen.length; step += 1) {
      assert.ok(steps.seen[step] > steps.seen[step - 1], `scrolling down shows later rows: ${steps.seen}`);
    }
    assert.equal(steps.seen.at(-1) + Math.round((await box.evaluate((el) => el.clientHeight)) / rowHeight) >= ROWS, true, `the last step reaches the end: ${steps.seen.at(-1)}`);
    const lastLine = await rows.last().getAttribute('data-line');
    assert.equal(Number(lastLine), ROWS + 1, 'the last row (file line 100,001) is drawn at the bottom');
    await box.hover();
    for (let turn = 0; turn < 20; turn += 1) await page.mouse.wheel(0, -600);
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid=rows-scroll]');
      return el.scrollTop < el.scrollHeight - el.clientHeight - 5000;
    });
    const scrollLongest = await app.longestTaskSince(scrollStart);
    console.log(`table: 51 scroll steps over ${ROWS} rows, slowest step to a drawn frame ${Math.round(steps.slowest)} ms, longest main-thread task ${Math.round(scrollLongest)} ms`);
    assert.notEqual(scrollLongest, null, 'PerformanceObserver supports longtask entries');
    assert.ok(scrollLongest <= LONGEST_TASK_LIMIT_MS, `no main-thread task over ${LONGEST_TASK_LIMIT_MS} ms while scrolling (longest ${Math.round(scrollLongest)} ms)`);
    assert.ok(await rows.count() <= 100, 'still only the rows near the view are drawn');

    // Search through every row.
    const matches = page.locator('[data-testid=row-matches]');
    const searchStart = await app.now();
    await page.locator('[data-testid=row-search]').fill('Reseña 99999:');
    await page.waitForFunction(() => document.querySelector('[data-testid=row-matches]')?.textContent?.startsWith('1 rows of'));
    const searchMs = (await app.now()) - searchStart;
    assert.equal(await rows.count(), 1);
    assert.equal(await rows.first().getAttribute('data-line'), '100000');
    console.log(`table: a search through ${ROWS} rows answered in ${Math.round(searchMs)} ms`);
    await page.locator('[data-testid=row-search]').fill('');
    await page.locator('[data-testid=row-label-filter]').selectOption('neutral');
    assert.match(await matches.textContent(), /^33333 rows of 99999/u);

    // A finding deep in the file marks its row, scrolled into view (even though the label
    // filter would hide it); the row without a label is named as not being in the table.
    await page.locator(`[data-testid=finding][data-line="${COPY_ROW + 1}"] [data-testid=finding-line]`).click();
    const focused = page.locator('[data-testid=rows] tr.focused');
    await focused.waitFor();
    assert.equal(await focused.getAttribute('data-line'), String(COPY_ROW + 1));
    assert.ok(await focused.isVisible(), 'the marked row is in view');
    const inBox = await box.evaluate((el) => {
      const row = el.querySelector('tr.focused').getBoundingClientRect();
      const frame = el.getBoundingClientRect();
      return row.top >= frame.top && row.bottom <= frame.bottom;
    });
    assert.ok(inBox, 'the marked row is inside the scrolled box');
    await page.locator(`[data-testid=finding][data-line="${BROKEN_ROW + 1}"] [data-testid=finding-line]`).click();
    await page.locator('[data-testid=focus-missing]').waitFor();
    await page.locator('[data-testid=row-label-filter]').selectOption('');

    // An edit deep in the table keeps the table where it was.
    await box.evaluate((el) => { el.scrollTop = el.scrollHeight / 2; });
    const target = page.locator('[data-testid=rows] tbody tr[data-line="50001"]');
    await target.waitFor();
    await target.locator('[data-testid=row-edit]').click();
    await page.locator('[data-testid=edit-text]').fill('Una reseña cambiada a mano');
    // (The click scrolls the row out from under the table's header first.)
    const topBefore = await box.evaluate((el) => el.scrollTop);
    const editStart = await app.now();
    await page.locator('[data-testid=edit-save]').click();
    const changed = page.locator('[data-testid=rows] tbody tr[data-line="50001"] td:nth-child(2)');
    await page.waitForFunction(() => document.querySelector('[data-testid=rows] tbody tr[data-line="50001"] td:nth-child(2)')?.textContent === 'Una reseña cambiada a mano');
    assert.equal(await changed.textContent(), 'Una reseña cambiada a mano');
    // The findings are recomputed by the reader worker; the page says so meanwhile.
    await page.locator('[data-testid=refreshing]').waitFor({ state: 'detached', timeout: 60_000 });
    console.log(`table: an edit of one row of ${ROWS} (findings recomputed in the reader worker) took ${Math.round((await app.now()) - editStart)} ms, longest main-thread task ${Math.round(await app.longestTaskSince(editStart))} ms`);
    const topAfter = await box.evaluate((el) => el.scrollTop);
    assert.ok(Math.abs(topAfter - topBefore) < rowHeight, `the table stays in place after an edit (${topBefore} → ${topAfter})`);
    await page.locator('[data-testid=rows-scroll]').screenshot({ path: resolve(OUTPUT, 'table-100k-en.png') });

    // A safe fix on 100,000 rows is computed by the reader worker: the page stays responsive.
    const rowsBefore = await app.rowCount();
    const fixStart = await app.now();
    await page.locator('[data-testid=fix-preview][data-fix=drop_exact_duplicates]').click();
    const preview = page.locator('[data-testid=fix-preview-panel][data-fix=drop_exact_duplicates]');
    await preview.waitFor({ timeout: 60_000 });
    const fixMs = (await app.now()) - fixStart;
    const fixLongest = await app.longestTaskSince(fixStart);
    console.log(`table: the preview of a fix over ${ROWS} rows (in the reader worker) took ${Math.round(fixMs)} ms, longest main-thread task ${Math.round(fixLongest)} ms`);
    assert.equal(await preview.getAttribute('data-changed'), '1', 'one exact duplicate');
    assert.equal(await preview.locator('tbody td.num').textContent(), String(COPY_ROW + 1), 'its line');
    assert.match(await preview.locator('tbody td.after').textContent(), /row dropped/u);
    assert.ok(fixLongest <= LONGEST_TASK_LIMIT_MS, `no main-thread task over ${LONGEST_TASK_LIMIT_MS} ms while the fix is prepared (longest ${Math.round(fixLongest)} ms)`);
    const applyStart = await app.now();
    await page.locator('[data-testid=fix-apply]').click();
    await page.waitForFunction((n) => document.querySelector('[data-testid=row-count]')?.dataset.value === String(n), rowsBefore - 1);
    await page.locator('[data-testid=save-state][data-state=saved]').waitFor({ timeout: 60_000 });
    const applyLongest = await app.longestTaskSince(applyStart);
    console.log(`table: applying it and saving ${rowsBefore - 1} rows, longest main-thread task ${Math.round(applyLongest)} ms`);
    await page.locator('[data-testid=fix-undo]').click();
    await page.waitForFunction((n) => document.querySelector('[data-testid=row-count]')?.dataset.value === String(n), rowsBefore);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
