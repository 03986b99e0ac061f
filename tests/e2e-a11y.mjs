// Accessibility: axe-core (the WCAG 2.1 A and AA rules, contrast included) finds no violation on
// any step of the page in either language, and the main flow works with the keyboard alone,
// each focused control showing where the focus is.
//
// Run: node --test tests/e2e-a11y.mjs      (after `trunk build --release --offline`)

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { REPO_ROOT } from './serve.mjs';
import { serveAndLaunch } from './suite.mjs';
import { AfinaPage } from './afina-page.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(process.env.AFINA_DIST ?? resolve(REPO_ROOT, 'dist'));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = resolve(HERE, 'output');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Runs axe on the whole page; returns its violations as readable lines. */
async function axeViolations(page) {
  // Evaluated through the DevTools protocol, so the page's CSP does not apply to it.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.slice(0, 5).map((node) => `${node.target.join(' ')} — ${node.failureSummary?.split('\n').slice(0, 2).join(' ')}`),
      count: violation.nodes.length,
    }));
  }, WCAG_TAGS);
  return violations.map((v) => `${v.id} (${v.impact}, ${v.count}×): ${v.help}\n    ${v.nodes.join('\n    ')}`);
}

describe('Afina: accessibility', () => {
  const suite = serveAndLaunch({ dist: DIST, output: OUTPUT, chromium: CHROMIUM });

  for (const locale of ['es-ES', 'en-US']) {
    test(`axe finds no WCAG 2.1 A/AA violation on any step (${locale})`, { timeout: 180_000 }, async () => {
      const page = await suite.browser.newPage({ locale, viewport: { width: 1280, height: 900 } });
      const errors = [];
      page.on('pageerror', (err) => errors.push(String(err)));
      const app = new AfinaPage(page);
      await app.open(suite.server.url);
      const report = {};
      report.empty = await axeViolations(page);

      await page.locator('[data-testid=sample-button]').click();
      await app.rowCount();
      await app.findings();
      await page.locator('[data-testid=fix-preview]').first().click();
      report.validate = await axeViolations(page);

      await page.locator('[data-testid=improve] > summary').click();
      await page.locator('[data-testid=augment-preview]').click();
      await page.locator('[data-testid=augment-status]').waitFor();
      report.improve = await axeViolations(page);

      await app.chooseDevice('Cpu');
      await app.train();
      await app.waitForVersion(1, { timeout: 120_000 });
      await app.predict(locale === 'es-ES' ? 'Me encantó la comida' : 'I loved the food');
      report.trained = await axeViolations(page);

      const found = Object.entries(report).filter(([, lines]) => lines.length > 0);
      assert.deepEqual(found, [], `axe violations:\n${found.map(([step, lines]) => `[${step}]\n  ${lines.join('\n  ')}`).join('\n')}`);
      assert.deepEqual(errors, []);
      await page.close();
    });
  }

  test('the main flow works with the keyboard alone, with a visible focus', { timeout: 120_000 }, async () => {
    const page = await suite.browser.newPage({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    const app = new AfinaPage(page);
    await app.open(suite.server.url);

    /** What has the focus: its test id (or tag and text), and whether its focus shows. */
    const focused = () => page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      return {
        id: el.dataset.testid ?? `${el.tagName.toLowerCase()}:${(el.textContent ?? '').trim().slice(0, 30)}`,
        ring,
        visible: el.getBoundingClientRect().width > 0,
      };
    });
    /** Presses Tab until `testid` has the focus; every stop must show its focus. */
    const tabTo = async (testid, { limit = 80, match = (f) => f.id === testid } = {}) => {
      const path = [];
      for (let step = 0; step < limit; step += 1) {
        await page.keyboard.press('Tab');
        const now = await focused();
        if (!now) continue;
        path.push(now.id);
        assert.ok(now.ring, `the focus is visible on ${now.id}`);
        if (match(now)) return path;
      }
      assert.fail(`Tab never reached ${testid}: ${path.join(' → ')}`);
    };

    // Load the sample with Enter.
    await tabTo('sample-button');
    await page.keyboard.press('Enter');
    assert.equal(await app.rowCount(), 150);
    await app.findings();

    // A finding's "show line" button marks its row in the table.
    await tabTo('finding-line');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=rows] tr.focused').waitFor();

    // The rows box takes the focus and scrolls with the keys.
    await tabTo('rows-scroll');
    const before = await page.locator('[data-testid=rows-scroll]').evaluate((el) => el.scrollTop);
    await page.keyboard.press('End');
    await page.waitForFunction((top) => document.querySelector('[data-testid=rows-scroll]').scrollTop > top, before);
    // End may scroll smoothly, and the table draws a new window of rows as it goes: wait until
    // the box is at the bottom and has stayed there for a few frames (with the last row drawn)
    // before tabbing into the rows, or the focused row may leave the window under the keys.
    await page.evaluate(() => new Promise((resolve) => {
      const box = document.querySelector('[data-testid=rows-scroll]');
      let last = -1;
      let still = 0;
      const look = () => {
        const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 2;
        still = atBottom && box.scrollTop === last ? still + 1 : 0;
        last = box.scrollTop;
        if (still >= 5 && box.querySelector('tr[data-line="151"]')) resolve();
        else requestAnimationFrame(look);
      };
      requestAnimationFrame(look);
    }));

    // Edit a row: Enter on its edit button puts the focus in the text; Enter saves.
    // Tab goes to the first row in view (rows drawn out of view are not tab stops), so the
    // box does not move under the keys.
    const bottom = await page.locator('[data-testid=rows-scroll]').evaluate((el) => el.scrollTop);
    await tabTo('row-edit');
    const inView = await page.evaluate(() => {
      const box = document.querySelector('[data-testid=rows-scroll]').getBoundingClientRect();
      const row = document.activeElement.closest('tr').getBoundingClientRect();
      return row.bottom > box.top && row.top < box.bottom;
    });
    assert.ok(inView, 'the row that takes the focus is in view');
    assert.equal(await page.locator('[data-testid=rows-scroll]').evaluate((el) => el.scrollTop), bottom, 'the box stays where it was');
    const line = await page.evaluate(() => document.activeElement.closest('tr').dataset.line);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.dataset.testid === 'edit-text', null, { timeout: 10_000 }).catch(async (error) => {
      const seen = await page.evaluate(() => ({
        active: document.activeElement?.outerHTML.slice(0, 120),
        editors: document.querySelectorAll('[data-testid=edit-text]').length,
      }));
      throw new Error(`${error.message}; the focus is on ${seen.active}; ${seen.editors} editor(s) open`);
    });
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('Escrito con el teclado');
    await page.keyboard.press('Enter');
    await page.waitForFunction((line) => document.querySelector(`[data-testid=rows] tr[data-line="${line}"] td:nth-child(2)`)?.textContent === 'Escrito con el teclado', line, { timeout: 10_000 }).catch(async (error) => {
      const seen = await page.evaluate((line) => ({
        row: document.querySelector(`[data-testid=rows] tr[data-line="${line}"]`)?.textContent?.slice(0, 120),
        editor: document.querySelector('[data-testid=edit-text]')?.value,
        active: document.activeElement?.outerHTML.slice(0, 120),
        lines: [...document.querySelectorAll('[data-testid=rows] tr[data-line]')].map((tr) => tr.dataset.line).join(','),
      }), line);
      throw new Error(`${error.message}; line ${line}: ${JSON.stringify(seen)}`);
    });

    // Undo it, then switch the language, both from the keyboard.
    await page.locator('[data-testid=sample-button]').focus();
    await tabTo('fix-undo', { limit: 200 });
    await page.keyboard.press('Enter');
    await page.waitForFunction((line) => document.querySelector(`[data-testid=rows] tr[data-line="${line}"] td:nth-child(2)`)?.textContent !== 'Escrito con el teclado', line);
    await page.locator('body').focus();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator('[data-testid=lang-switch]').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.documentElement.lang === 'es');
    await page.screenshot({ path: resolve(OUTPUT, 'keyboard-es.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
