// End-to-end tests of the ways in: pasted text, a JSON list offered as JSON Lines, and the
// choice of a sheet in a workbook with two.
//
// Run: node --test tests/e2e-load.mjs      (after `trunk build --release --offline`)

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { REPO_ROOT } from './serve.mjs';
import { serveAndLaunch } from './suite.mjs';
import { AfinaPage, SEL } from './afina-page.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(process.env.AFINA_DIST ?? resolve(REPO_ROOT, 'dist'));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = resolve(HERE, 'output');
// tests/fixtures/dos_hojas.xlsx (made by tests/fixtures/make_workbook.py): "Notas" first, then
// "Reseñas" with 6 rows, row 5 without a label.
const WORKBOOK = resolve(HERE, 'fixtures', 'dos_hojas.xlsx');

describe('Afina: ways to load data', () => {
  const suite = serveAndLaunch({ dist: DIST, output: OUTPUT, chromium: CHROMIUM });

  async function openApp(locale = 'es-ES') {
    const page = await suite.browser.newPage({ locale });
    const errors = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    const app = new AfinaPage(page);
    await app.open(suite.server.url);
    return { page, app, errors };
  }

  test('pasted CSV text is validated like a file', { timeout: 60_000 }, async () => {
    const { page, app, errors } = await openApp();
    await page.locator('.paste summary').click();
    await page.locator('[data-testid=paste-input]').fill('texto,etiqueta\nMe encantó,positivo\nHorrible,negativo\nSin etiqueta,\n');
    await page.locator('[data-testid=paste-button]').click();
    assert.equal(await app.rowCount(), 2);
    const findings = await app.findings();
    const error = findings.find((f) => f.severity === 'error');
    assert.equal(error?.line, '4', `the row without a label is located: ${JSON.stringify(findings)}`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a JSON list is refused with an offer to read it as JSON Lines', { timeout: 60_000 }, async () => {
    const { page, app, errors } = await openApp('en-US');
    const list = JSON.stringify([
      { text: 'I loved it', label: 'positive' },
      { text: 'Awful', label: 'negative' },
      { text: 'Fine', label: 'neutral' },
    ], null, 2);
    await app.drop('reviews.json', list, 'application/json');
    const error = page.locator('[data-testid=load-error]');
    await error.waitFor();
    assert.match(await error.textContent(), /list|lista/iu);
    await page.locator('[data-testid=convert-json]').click();
    assert.equal(await app.rowCount(), 3);
    await page.locator(SEL.finding).first().waitFor();
    const codes = await page.locator(SEL.finding).evaluateAll((els) => els.map((el) => el.dataset.code));
    assert.ok(codes.includes('converted_json'), `the conversion is noted: ${codes}`);
    assert.equal(await page.locator('[data-testid=load-error]').count(), 0, 'the error is gone');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('thousands of findings are shown 100 at a time', { timeout: 60_000 }, async () => {
    const { page, app, errors } = await openApp('en-US');
    const rows = ['text,label'];
    for (let i = 0; i < 20; i += 1) rows.push(`good example number ${i},positive`, `bad example number ${i},negative`);
    for (let i = 0; i < 250; i += 1) rows.push(`row without a label ${i},`);
    await app.drop('many.csv', rows.join('\n') + '\n');
    assert.equal(await app.rowCount(), 40);
    // The first page is drawn in two tasks: wait for the second.
    // Findings are grouped by kind: the 250 rows without a label are one group.
    const group = page.locator('[data-testid=finding-group][data-count="250"]');
    await group.locator('ul.findings[data-complete]').waitFor();
    assert.match(await group.locator('summary').textContent(), /· 250 errors$/u, 'the group says how many');
    assert.equal(await group.locator(SEL.finding).count(), 100, 'the first page of findings');
    const total = Number(await page.locator('[data-testid=error-count]').getAttribute('data-value'));
    assert.equal(total, 250, 'every error is counted');
    await group.locator('[data-testid=more-findings]').click();
    const shown = await group.locator(SEL.finding).count();
    assert.ok(shown > 100 && shown <= 200, `more findings after "show more": ${shown}`);
    const lines = await page.locator(SEL.errorFinding).evaluateAll((els) => els.map((el) => Number(el.dataset.line)));
    assert.equal(lines[0], 42, 'the first row without a label is line 42');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a fix is previewed, applied and undone', { timeout: 60_000 }, async () => {
    const { page, app, errors } = await openApp('es-ES');
    const csv = [
      'texto,etiqueta',
      'Me encantó la comida,positivo',
      'El camarero fue un encanto,Positivo',
      'Tardaron una hora en traer el plato,negativo',
      'La sopa estaba fría,negativo',
      'Correcto sin más,neutral',
      'Volveré con mi familia,positivo',
    ].join('\n') + '\n';
    await app.drop('variantes.csv', csv);
    assert.equal(await app.rowCount(), 6);
    const labels = () => page.locator('[data-testid=label-counts]').textContent();
    const before = await labels();
    assert.match(before, /Positivo: 1/u, `the variant is there: ${before}`);
    await page.locator('[data-testid=fix-preview][data-fix=merge_label_variants]').click();
    const preview = page.locator('[data-testid=fix-preview-panel][data-fix=merge_label_variants]');
    await preview.waitFor();
    assert.equal(await preview.getAttribute('data-changed'), '1', 'one row would change');
    const after = await preview.locator('td.after').first().textContent();
    assert.match(after, /→ positivo$/u, `the preview shows the new label: ${after}`);
    await page.locator('[data-testid=fix-apply]').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=label-counts]').textContent.includes('Positivo'));
    assert.equal(await labels(), 'negativo: 2 · neutral: 1 · positivo: 3');
    await page.locator('[data-testid=fix-undo]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=label-counts]').textContent.includes('Positivo'));
    assert.equal(await labels(), before, 'undo restores the labels');
    assert.equal(await page.locator('[data-testid=fix-undo]').isDisabled(), true, 'nothing left to undo');
    await app.screenshot(resolve(OUTPUT, 'fix-undo-es.png'));
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the text and label columns can be named', { timeout: 60_000 }, async () => {
    const { page, app, errors } = await openApp('es-ES');
    const csv = 'id,frase_cliente,resultado\n1,Me encantó,bien\n2,Horrible,mal\n3,Volveré,bien\n';
    await app.drop('columnas.csv', csv);
    await page.locator('.columns summary').click();
    await page.locator('[data-testid=column-text]').fill('Frase_Cliente');
    await page.locator('[data-testid=column-label]').fill('resultado');
    await page.locator('[data-testid=columns-apply]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=label-counts]')?.textContent === 'bien: 2 · mal: 1');
    assert.equal(await app.rowCount(), 3);
    const firstText = await page.locator('[data-testid=rows] tbody tr td:nth-child(2)').first().textContent();
    assert.equal(firstText, 'Me encantó');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the sheet of a workbook can be chosen', { timeout: 60_000 }, async () => {
    const { page, app, errors } = await openApp();
    await page.locator('[data-testid=file-input]').setInputFiles(WORKBOOK);
    const select = page.locator('[data-testid=sheet-select]');
    await select.waitFor();
    const sheets = await select.locator('option').allTextContents();
    assert.deepEqual(sheets, ['Notas', 'Reseñas']);
    // The first sheet has no dataset: the error says so.
    await page.locator('[data-testid=load-error]').waitFor();
    await select.selectOption('Reseñas');
    assert.equal(await app.rowCount(), 5);
    const findings = await app.findings();
    const error = findings.find((f) => f.severity === 'error');
    assert.equal(error?.line, '5', `row 5 has no label: ${JSON.stringify(findings)}`);
    await app.screenshot(resolve(OUTPUT, 'load-sheet-es.png'));
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('Improve: variants of the training rows are previewed, discarded, accepted, undone and trained on', { timeout: 180_000 }, async () => {
    const { page, app, errors } = await openApp('es-ES');
    await page.locator('[data-testid=sample-button]').click();
    assert.equal(await app.rowCount(), 150);
    await page.locator('[data-testid=improve] > summary').click();
    await page.locator('[data-testid=goal-rows]').fill('240');
    const status = page.locator('[data-testid=augment-status]');

    // The user's own synonyms: a malformed line is named; a good pair is used.
    await page.locator('.synonyms summary').click();
    const synonyms = page.locator('[data-testid=user-synonyms]');
    await synonyms.fill('comida manduca');
    await page.locator('[data-testid=augment-preview]').click();
    const problem = page.locator('[data-testid=augment-error]');
    await problem.waitFor();
    assert.match(await problem.textContent(), /Línea 1/u, 'the bad line is named');
    await synonyms.fill('comida: manduca');
    await page.locator('[data-testid=rate-synonym]').fill('1');
    await page.locator('[data-testid=rate-synonym]').press('Tab');

    // Make variants, throw them away, make them again.
    await page.locator('[data-testid=augment-preview]').click();
    await status.waitFor();
    await page.locator('[data-testid=augment-discard]').click();
    await status.waitFor({ state: 'detached' });
    await page.locator('[data-testid=augment-preview]').click();
    await status.waitFor();
    const newRows = Number(await status.getAttribute('data-new-rows'));
    // 150 rows: 120 for training (the sources), 30 held out; grown to 240 training rows.
    assert.ok(newRows > 60 && newRows <= 120, `variants up to the goal: ${newRows}`);
    const shown = await page.locator('[data-testid=variant]').count();
    assert.equal(shown, Math.min(newRows, 50), 'the preview lists the new rows');
    assert.ok((await page.locator('[data-testid=variant] mark').count()) > 0, 'changed words are marked');
    const variants = await page.locator('[data-testid=variant]').allTextContents();
    assert.ok(variants.some((text) => text.includes('manduca')), 'the user\'s synonym is used');
    await app.screenshot(resolve(OUTPUT, 'improve-es.png'));

    // Accept, undo, accept again.
    await page.locator('[data-testid=augment-accept]').click();
    await page.locator('[data-testid=augment-status][data-accepted=true]').waitFor();
    await page.locator('[data-testid=augment-undo]').click();
    await page.locator('[data-testid=augment-status][data-accepted=false]').waitFor();
    await page.locator('[data-testid=augment-accept]').click();
    await page.locator('[data-testid=augment-status][data-accepted=true]').waitFor();

    // Training uses the sources plus the variants, and the 30 held-out rows for validation.
    await app.train();
    await app.waitForAccuracy({ timeout: 120_000 });
    const time = page.locator('[data-testid=train-time]');
    assert.equal(Number(await time.getAttribute('data-train-rows')), 120 + newRows, 'training rows');
    assert.equal(Number(await time.getAttribute('data-validation-rows')), 30, 'validation rows');
    assert.deepEqual(errors, []);
    await page.close();
  });
  test('hostile rows render as inert text', { timeout: 60_000 }, async () => {
    const { page, app, errors } = await openApp('en-US');
    const hostile = [
      '<img src=x onerror="window.__pwned = 1">',
      '<script>window.__pwned = 2</script>',
      '"<svg onload=window.__pwned=3>"',
      '=HYPERLINK("http://example.invalid","clic")',
    ];
    const csv = ['text,label', ...hostile.map((text, i) => `${text.includes(',') ? `"${text.replaceAll('"', '""')}"` : text},${i % 2 ? 'bad' : 'good'}`)].join('\n');
    await app.drop('hostile.csv', `${csv}\n`);
    assert.equal(await app.rowCount(), hostile.length);
    const cells = await page.locator('[data-testid=rows] tbody tr td:nth-child(2)').allTextContents();
    assert.ok(cells.some((cell) => cell.includes('<img src=x onerror')), `the markup shows as text: ${cells}`);
    assert.ok(cells.some((cell) => cell.includes('<script>')), 'a script tag shows as text');
    assert.equal(await page.locator('[data-testid=rows] img, [data-testid=rows] script, [data-testid=rows] svg').count(), 0, 'no element was made from user text');
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no user text ran');
    assert.deepEqual(errors, []);
    await page.close();
  });
  test('the working dataset and settings survive a reload; "New project" clears them', { timeout: 90_000 }, async () => {
    const context = await suite.browser.newContext({ locale: 'es-ES' });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    const app = new AfinaPage(page);
    await app.open(suite.server.url);
    await page.locator('[data-testid=sample-urgencia]').click();
    const rows = await app.rowCount();
    assert.ok(rows > 100, `the e-mail sample loads: ${rows}`);
    await app.openSettings();
    await page.locator('[data-testid=setting-epochs]').fill('5');
    await page.locator('[data-testid=setting-epochs]').press('Tab');
    await page.locator('[data-testid=save-state][data-state=saved]').waitFor();
    // A validation file and accepted variants are kept too.
    await page.locator('[data-testid=validation-input]').setInputFiles({
      name: 'urgencia-val.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('texto,etiqueta\nEl servidor está caído: ¡ayuda ya!,urgente\nGracias por el resumen del lunes,normal\n'),
    });
    await page.locator('[data-testid=validation-file][data-rows="2"]').waitFor();
    await page.locator('[data-testid=improve] > summary').click();
    await page.locator('[data-testid=augment-preview]').click();
    const status = page.locator('[data-testid=augment-status]');
    await status.waitFor();
    const newRows = await status.getAttribute('data-new-rows');
    await page.locator('[data-testid=augment-accept]').click();
    await page.locator('[data-testid=augment-status][data-accepted=true]').waitFor();
    // The header says when the last change is written: only then reload.
    await page.locator('[data-testid=save-state][data-state=saved]').waitFor();

    await page.reload({ waitUntil: 'load' });
    assert.equal(await app.rowCount(), rows, 'the rows are back');
    assert.match(await page.locator('.summary strong').textContent(), /^urgencia\.csv$/u);
    await app.openSettings();
    assert.equal(await page.locator('[data-testid=setting-epochs]').inputValue(), '5', 'the settings are back');
    await page.locator('[data-testid=validation-file][data-rows="2"]').waitFor();
    await page.locator('[data-testid=improve] > summary').click();
    await page.locator(`[data-testid=augment-status][data-accepted=true][data-new-rows="${newRows}"]`).waitFor();

    await page.locator('[data-testid=new-project]').click();
    await page.locator(SEL.rowCount).waitFor({ state: 'detached' });
    await page.locator('[data-testid=save-state][data-state=nothing]').waitFor({ state: 'attached' });
    await page.reload({ waitUntil: 'load' });
    await page.waitForTimeout(1000);
    assert.equal(await page.locator(SEL.rowCount).count(), 0, 'a new project starts empty after a reload');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('Export: every format, the split (variants only in training) and formula cells, read back', { timeout: 120_000 }, async () => {
    const { page, app, errors } = await openApp('es-ES');
    await page.locator('[data-testid=sample-button]').click();
    assert.equal(await app.rowCount(), 150);
    const exportPanel = page.locator('[data-testid=export]');
    await exportPanel.waitFor();

    // Its own format: the fixed CSV with its own header.
    const own = await app.download('[data-testid=export-download]');
    assert.equal(own.name, 'resenas-own.csv');
    const ownLines = readFileSync(own.path, 'utf8').trimEnd().split('\n');
    assert.equal(ownLines[0], 'texto,etiqueta');
    assert.equal(ownLines.length, 151, 'header and 150 rows');

    // The quality report in Markdown, in the page's language.
    const report = await app.download('[data-testid=export-report]');
    assert.equal(report.name, 'resenas-informe.md');
    const markdown = readFileSync(report.path, 'utf8');
    assert.match(markdown, /^# Informe de calidad: resenas\.csv$/mu);
    assert.match(markdown, /\| Filas válidas \| 150 \|/u);
    assert.match(markdown, /similar_text/u, 'the findings are grouped by code');

    // OpenAI chat JSONL with a system message.
    await page.locator('[data-testid=export-format]').selectOption('chat');
    await page.locator('[data-testid=export-system]').fill('Clasifica la reseña.');
    await page.locator('[data-testid=export-system]').press('Tab');
    const chat = await app.download('[data-testid=export-download]');
    assert.equal(chat.name, 'resenas-chat.jsonl');
    const conversations = readFileSync(chat.path, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
    assert.equal(conversations.length, 150);
    assert.deepEqual(conversations[0].messages.map((m) => m.role), ['system', 'user', 'assistant']);
    assert.equal(conversations[0].messages[0].content, 'Clasifica la reseña.');
    assert.ok(['positivo', 'negativo', 'neutral'].includes(conversations[0].messages[2].content));

    // Accepted variants, then the split: variants only in the training file, no row in both.
    await page.locator('[data-testid=improve] > summary').click();
    await page.locator('[data-testid=goal-rows]').fill('200');
    await page.locator('[data-testid=augment-preview]').click();
    const status = page.locator('[data-testid=augment-status]');
    await status.waitFor();
    const newRows = Number(await status.getAttribute('data-new-rows'));
    await page.locator('[data-testid=augment-accept]').click();
    assert.equal(Number(await page.locator('[data-testid=export-variants]').getAttribute('data-rows')), newRows);
    await page.locator('[data-testid=export-format]').selectOption('text-label');
    await page.locator('[data-testid=export-split]').check();
    const train = await app.download('[data-testid=export-train]');
    const validation = await app.download('[data-testid=export-validation]');
    assert.equal(train.name, 'resenas-text-label-train.jsonl');
    assert.equal(validation.name, 'resenas-text-label-validation.jsonl');
    const read = (path) => readFileSync(path, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
    const trainRows = read(train.path);
    const validationRows = read(validation.path);
    assert.equal(validationRows.length, 30, 'the held-out 20 %');
    assert.equal(trainRows.length, 120 + newRows, 'the training rows and every accepted variant');
    const trainTexts = new Set(trainRows.map((row) => row.text.toLowerCase()));
    const leaked = validationRows.filter((row) => trainTexts.has(row.text.toLowerCase()));
    assert.deepEqual(leaked, [], 'no validation row (or a copy of one) is in the training file');
    const notes = await page.locator('[data-testid=export-notes] li').allTextContents();
    assert.ok(notes.some((note) => note.startsWith('resenas-text-label-train.jsonl: ')), `a note per file: ${notes}`);
    await page.locator('[data-testid=export]').screenshot({ path: resolve(OUTPUT, 'export-es.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('Export to CSV neutralises formula cells', { timeout: 60_000 }, async () => {
    const { page, app, errors } = await openApp('en-US');
    await app.drop('formulas.csv', 'text,label\n"=HYPERLINK(""http://example.invalid"",""x"")",bad\n@SUM(A1),bad\nplain text,good\n');
    assert.equal(await app.rowCount(), 3);
    await page.locator('[data-testid=export-format]').selectOption('csv');
    const saved = await app.download('[data-testid=export-download]');
    const lines = readFileSync(saved.path, 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], 'text,label');
    assert.ok(lines[1].startsWith(`"'=HYPERLINK`), `the formula is neutralised: ${lines[1]}`);
    assert.ok(lines[2].startsWith("'@SUM"), `the @ cell is neutralised: ${lines[2]}`);
    assert.equal(lines[3], 'plain text,good');
    const notes = await page.locator('[data-testid=export-notes] li').allTextContents();
    assert.match(notes.join(' '), /2 cells starting with/u, `the note counts them: ${notes}`);
    await page.locator('[data-testid=export]').screenshot({ path: resolve(OUTPUT, 'export-en.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a finding\'s line opens its row in the table, or says why it is not there', { timeout: 60_000 }, async () => {
    const { page, app, errors } = await openApp('en-US');
    // The sample's near-duplicate warnings point at rows of the table.
    await page.locator('[data-testid=sample-button]').click();
    await app.rowCount();
    const warning = page.locator('[data-testid=finding][data-severity=warning][data-line]:not([data-line=""])').first();
    const line = await warning.getAttribute('data-line');
    await warning.locator('[data-testid=finding-line]').click();
    const focused = page.locator('[data-testid=rows] tr.focused');
    await focused.waitFor();
    assert.equal(await focused.getAttribute('data-line'), line, 'the marked row is the finding\'s line');
    assert.ok(await focused.isVisible(), 'and it is scrolled into view');
    // A line that could not be read as a row is not in the table: the page says so.
    await app.drop('reviews_with_error.csv', readFileSync(resolve(HERE, 'fixtures', 'reviews_with_error.csv'), 'utf8'));
    await app.rowCount();
    await page.locator('[data-testid=finding][data-severity=error] [data-testid=finding-line]').click();
    const missing = page.locator('[data-testid=focus-missing]');
    await missing.waitFor();
    assert.match(await missing.textContent(), /Line 62 is not in the table/u);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the table: charts, search, filters, edit and delete (undoable)', { timeout: 60_000 }, async () => {
    const { page, app, errors } = await openApp('es-ES');
    await page.locator('[data-testid=sample-button]').click();
    assert.equal(await app.rowCount(), 150);
    // Charts: a bar per label with its rows, and every row in one length bin.
    const bars = await page.locator('[data-testid=label-bar]').evaluateAll((els) => els.map((el) => [el.dataset.label, Number(el.dataset.rows)]));
    assert.deepEqual(bars.sort(), [['negativo', 50], ['neutral', 50], ['positivo', 50]]);
    const binned = await page.locator('[data-testid=length-bin]').evaluateAll((els) => els.reduce((sum, el) => sum + Number(el.dataset.rows), 0));
    assert.equal(binned, 150, 'every text is in the length histogram');

    const rows = page.locator('[data-testid=rows] tbody tr[data-line]');
    const matches = page.locator('[data-testid=row-matches]');
    // Search (text and label, any case), then filters.
    await page.locator('[data-testid=row-search]').fill('PAELLA');
    const found = await rows.count();
    assert.ok(found > 0 && found < 150, `the search narrows the rows: ${found}`);
    for (const text of await rows.locator('td:nth-child(2)').allTextContents()) assert.match(text, /paella/iu);
    await page.locator('[data-testid=row-search]').fill('');
    await page.locator('[data-testid=row-label-filter]').selectOption('neutral');
    for (const label of await rows.locator('td:nth-child(3)').allTextContents()) assert.equal(label, 'neutral', 'one label');
    assert.match(await matches.textContent(), /^50 filas de 150/u);
    await page.locator('[data-testid=row-label-filter]').selectOption('');
    await page.locator('[data-testid=row-status-filter]').selectOption('warned');
    const warned = await rows.evaluateAll((els) => els.map((el) => el.dataset.line));
    const findingLines = await page.locator('[data-testid=finding][data-severity=warning]').evaluateAll((els) => els.map((el) => el.dataset.line));
    assert.deepEqual(warned.sort(), [...new Set(findingLines)].sort(), 'the rows a warning points at');
    await page.locator('[data-testid=row-status-filter]').selectOption('all');
    // The whole list is drawn again from its first row before a row is picked: the table is
    // redrawn after the filter changes, and a click in between would land on a row of the
    // filtered list (seen once in twenty runs on a busy machine).
    await page.waitForFunction(() => document.querySelector('[data-testid=rows] tbody tr[data-line]')?.dataset.line === '2');
    assert.match(await matches.textContent(), /^150 filas de 150/u);

    // Edit the first row in place: a new label, undoable like a fix.
    const first = rows.first();
    await first.locator('[data-testid=row-edit]').click();
    await page.locator('[data-testid=edit-label]').fill('neutral');
    await page.locator('[data-testid=edit-text]').fill('Ni fu ni fa, la verdad.');
    await page.locator('[data-testid=edit-save]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=label-counts]')?.textContent?.includes('neutral: 51'));
    assert.equal((await rows.first().locator('td:nth-child(2)').textContent()).trim(), 'Ni fu ni fa, la verdad.');
    // Delete it, then undo both.
    await rows.first().locator('[data-testid=row-delete]').click();
    assert.equal(await app.rowCount(), 149);
    await page.locator('[data-testid=fix-undo]').click();
    assert.equal(await app.rowCount(), 150);
    await page.locator('[data-testid=fix-undo]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=label-counts]')?.textContent === 'negativo: 50 · neutral: 50 · positivo: 50');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('screenshots of Load, Validate, Improve and Export in both languages', { timeout: 90_000 }, async () => {
    for (const [locale, suffix] of [['es-ES', 'es'], ['en-US', 'en']]) {
      const page = await suite.browser.newPage({ locale, viewport: { width: 1280, height: 900 } });
      const app = new AfinaPage(page);
      await app.open(suite.server.url);
      await page.locator('section.panel').first().screenshot({ path: resolve(OUTPUT, `load-${suffix}.png`) });
      await page.locator('[data-testid=sample-button]').click();
      await app.rowCount();
      await app.findings();
      await page.locator('section.panel', { has: page.locator('[data-testid=row-count]') }).screenshot({ path: resolve(OUTPUT, `validate-${suffix}.png`) });
      await page.locator('[data-testid=improve] > summary').click();
      await page.locator('[data-testid=augment-preview]').click();
      await page.locator('[data-testid=augment-status]').waitFor();
      await page.locator('[data-testid=improve-step]').screenshot({ path: resolve(OUTPUT, `improve-step-${suffix}.png`) });
      await page.locator('[data-testid=export]').screenshot({ path: resolve(OUTPUT, `export-step-${suffix}.png`) });
      // Usable at 360 px wide: nothing wider than the screen but the scrolling tables.
      await page.setViewportSize({ width: 360, height: 800 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(overflow <= 360, `no sideways scrolling at 360 px (page is ${overflow} px wide)`);
      await page.screenshot({ path: resolve(OUTPUT, `narrow-${suffix}.png`), fullPage: true });
      await page.close();
    }
  });

  test('two files dropped together: training and validation', { timeout: 120_000 }, async () => {
    const { page, app, errors } = await openApp('en-US');
    const [header, ...rows] = readFileSync(resolve(REPO_ROOT, 'public', 'samples', 'resenas.csv'), 'utf8').trimEnd().split('\n');
    // Every fifth row is for validation: 120 for training, 30 for validation.
    const validation = rows.filter((_, i) => i % 5 === 0);
    const training = rows.filter((_, i) => i % 5 !== 0);
    // The validation file comes first: its name tells which is which.
    await app.dropFiles([
      { name: 'resenas-val.csv', text: `${[header, ...validation].join('\n')}\n` },
      { name: 'resenas-train.csv', text: `${[header, ...training].join('\n')}\n` },
    ]);
    assert.equal(await app.rowCount(), 120, 'the training file is the dataset');
    const note = page.locator('[data-testid=validation-file]');
    await note.waitFor();
    assert.equal(Number(await note.getAttribute('data-rows')), 30);
    assert.match(await note.textContent(), /resenas-val\.csv/u);
    await app.train();
    await app.waitForAccuracy({ timeout: 90_000 });
    const time = page.locator('[data-testid=train-time]');
    assert.equal(Number(await time.getAttribute('data-train-rows')), 120, 'every training row trains');
    assert.equal(Number(await time.getAttribute('data-validation-rows')), 30, 'measured on the validation file');
    // A validation file that is not a dataset is explained.
    await page.locator('[data-testid=validation-input]').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('') });
    await page.locator('[data-testid=validation-error]').waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });

});
