// Page object for Afina's UI: the selectors (data-testid attributes) and the
// user actions the end-to-end tests perform. Reuse it in new tests instead of
// repeating selectors.

/** Flags for headless Chromium on these machines (closed network, fresh profile). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** The data-testid selectors the app exposes. */
export const SEL = {
  dropZone: '[data-testid=drop-zone]',
  rowCount: '[data-testid=row-count]',
  finding: '[data-testid=finding]',
  errorFinding: '[data-testid=finding][data-severity=error]',
  trainButton: '[data-testid=train-button]',
  device: '[data-testid=device]',
  deviceWithKind: '[data-testid=device][data-kind]',
  accuracy: '[data-testid=accuracy]',
  accuracyWithValue: '[data-testid=accuracy][data-value]',
  trainTime: '[data-testid=train-time]',
  trainError: '[data-testid=train-error]',
  predictInput: '[data-testid=predict-input]',
  predictButton: '[data-testid=predict-button]',
  prediction: '[data-testid=prediction]',
  topPrediction: '[data-testid=prediction][data-rank="1"]',
  deviceChoice: '[data-testid=device-choice]',
  versionRow: '[data-testid=version-row]',
  modelInput: '[data-testid=model-input]',
  versionSelect: '[data-testid=version-select]',
  compareSelect: '[data-testid=compare-select]',
  stopButton: '[data-testid=stop-button]',
};

/**
 * Init script (run in every document before the app's own scripts) that records
 * main-thread long tasks in `window.__afinaLongTasks` as {start, duration} (ms).
 */
export function longTaskRecorder() {
  window.__afinaLongTasks = [];
  window.__afinaLongTaskSupported = false;
  try {
    if (
      typeof PerformanceObserver !== 'undefined' &&
      (PerformanceObserver.supportedEntryTypes || []).includes('longtask')
    ) {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          window.__afinaLongTasks.push({ start: e.startTime, duration: e.duration });
        }
      }).observe({ type: 'longtask', buffered: true });
      window.__afinaLongTaskSupported = true;
    }
  } catch {
    window.__afinaLongTaskSupported = false;
  }
}

/**
 * Records Chrome's timeline trace while `run()` runs and returns the longest task on a page's
 * main thread (`CrRendererMain`) twice: by the CPU time the thread spent in it (`cpuMs`) and by
 * wall time (`wallMs`). On a machine with two cores the training worker and the browser's own
 * threads compete with the main thread, so a task's wall time includes time the OS gave to
 * other threads; its CPU time is the page's own work.
 */
export async function longestMainThreadTask(browser, page, run) {
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  let buffer;
  try {
    await run();
  } finally {
    buffer = await browser.stopTracing();
  }
  const parsed = JSON.parse(buffer.toString('utf8'));
  const events = parsed.traceEvents ?? parsed;
  const main = new Set(
    events
      .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  let cpuMs = 0;
  let wallMs = 0;
  let tasks = 0;
  for (const e of events) {
    if (e.name !== 'RunTask' || e.ph !== 'X' || !main.has(`${e.pid}:${e.tid}`)) continue;
    tasks += 1;
    cpuMs = Math.max(cpuMs, (e.tdur ?? e.dur) / 1000);
    wallMs = Math.max(wallMs, e.dur / 1000);
  }
  return { cpuMs, wallMs, tasks };
}

export class AfinaPage {
  /** @param {import('playwright-core').Page} page */
  constructor(page) {
    this.page = page;
  }

  /** Registers the long-task recorder; call before `open()`. */
  async installLongTaskObserver() {
    await this.page.addInitScript(longTaskRecorder);
  }

  /** Opens the app and waits until the drop zone is there. */
  async open(url, { timeout = 60_000 } = {}) {
    await this.page.goto(url, { waitUntil: 'load' });
    await this.page.locator(SEL.dropZone).waitFor({ state: 'visible', timeout });
  }

  /**
   * Drops a file on the drop zone the way a browser does: a real `File` in a
   * `DataTransfer`, with dragenter, dragover and drop `DragEvent`s.
   */
  async drop(name, text, type = 'text/csv') {
    await this.page.locator(SEL.dropZone).evaluate(
      (zone, { name, text, type }) => {
        const file = new File([text], name, { type });
        const dt = new DataTransfer();
        dt.items.add(file);
        for (const kind of ['dragenter', 'dragover', 'drop']) {
          zone.dispatchEvent(
            new DragEvent(kind, { bubbles: true, cancelable: true, composed: true, dataTransfer: dt }),
          );
        }
      },
      { name, text, type },
    );
  }

  /** Drops several files at once, like `drop`: [{name, text, type?}]. */
  async dropFiles(files) {
    await this.page.locator(SEL.dropZone).evaluate((zone, files) => {
      const dt = new DataTransfer();
      for (const { name, text, type } of files) dt.items.add(new File([text], name, { type: type ?? 'text/csv' }));
      for (const kind of ['dragenter', 'dragover', 'drop']) {
        zone.dispatchEvent(new DragEvent(kind, { bubbles: true, cancelable: true, composed: true, dataTransfer: dt }));
      }
    }, files);
  }

  /** The row count shown after validation (waits for it). */
  async rowCount({ timeout = 30_000 } = {}) {
    const el = this.page.locator(`${SEL.rowCount}[data-value]`);
    await el.waitFor({ timeout });
    return Number(await el.getAttribute('data-value'));
  }

  /** All findings with severity, line and text. */
  async findings() {
    // The first page of findings is drawn in two tasks; wait until it is complete.
    await this.page.locator('ul.findings[data-complete]').first().waitFor({ timeout: 30_000 });
    return this.page.locator(SEL.finding).evaluateAll((els) =>
      els.map((el) => ({
        severity: el.getAttribute('data-severity'),
        line: el.getAttribute('data-line'),
        text: el.textContent ?? '',
      })),
    );
  }

  /** The page's `performance.now()`. */
  async now() {
    return this.page.evaluate(() => performance.now());
  }

  /**
   * Picks the model ('ngram': "Rápido", the default here; 'encoder': "Preciso"; 'auto'),
   * clicks "train"; returns the page time (ms) at the click.
   */
  async train({ model = 'ngram' } = {}) {
    const button = this.page.locator(SEL.trainButton);
    await button.waitFor({ state: 'visible' });
    const choice = this.page.locator(`[data-testid=model-${model}]`);
    if (!(await choice.isChecked())) await choice.check();
    const start = await this.now();
    await button.click();
    return start;
  }

  /** Waits for the device badge to say which device trains; returns {kind, text}. */
  async device({ timeout = 120_000 } = {}) {
    const el = this.page.locator(SEL.deviceWithKind);
    await el.waitFor({ timeout });
    return {
      kind: await el.getAttribute('data-kind'),
      text: ((await el.textContent()) ?? '').trim(),
    };
  }

  /**
   * Waits for training to finish; returns {accuracy, trainMs}. Fails early
   * with the app's message if a `[data-testid=train-error]` shows up.
   */
  async waitForAccuracy({ timeout = 240_000 } = {}) {
    const done = this.page.locator(`${SEL.accuracyWithValue}, ${SEL.trainError}`).first();
    await done.waitFor({ timeout });
    if ((await done.getAttribute('data-testid')) === 'train-error') {
      throw new Error(`training failed: ${((await done.textContent()) ?? '').trim()}`);
    }
    const accuracy = Number(await done.getAttribute('data-value'));
    const timeEl = this.page.locator(`${SEL.trainTime}[data-ms]`);
    const trainMs = (await timeEl.count()) > 0 ? Number(await timeEl.first().getAttribute('data-ms')) : NaN;
    return { accuracy, trainMs };
  }

  /** The longest long task (ms) that started at or after `since` (page time), or null if unsupported. */
  async longestTaskSince(since) {
    return this.page.evaluate((since) => {
      if (!window.__afinaLongTaskSupported) return null;
      return window.__afinaLongTasks
        .filter((t) => t.start >= since)
        .reduce((max, t) => Math.max(max, t.duration), 0);
    }, since);
  }

  /**
   * Types a sentence to classify and waits for the answer about that sentence;
   * returns the predictions of `side` ("a": the chosen version, "b": the one
   * compared with it) sorted by rank: [{rank, label, confidence, text}].
   */
  async predict(text, { timeout = 30_000, side = 'a', type = true } = {}) {
    if (type) await this.page.locator(SEL.predictInput).fill(text);
    await this.page.waitForFunction(
      ({ text, side }) =>
        [...document.querySelectorAll(`ul.predictions[data-side=${side}]`)].some(
          (ul) => ul.getAttribute('data-for') === text && ul.querySelector('[data-rank="1"][data-confidence]'),
        ),
      { text, side },
      { timeout },
    );
    const rows = await this.page.locator(`ul.predictions[data-side=${side}] ${SEL.prediction}`).evaluateAll((els) =>
      els.map((el) => ({
        rank: Number(el.getAttribute('data-rank')),
        label: el.getAttribute('data-label'),
        confidence: Number(el.getAttribute('data-confidence')),
        text: (el.textContent ?? '').trim(),
      })),
    );
    return rows.sort((a, b) => a.rank - b.rank);
  }

  /** Picks where the next run trains: "Auto", "WebGpu" or "Cpu". */
  async chooseDevice(choice) {
    await this.openSettings();
    await this.page.locator(SEL.deviceChoice).selectOption(choice);
  }

  /** Opens the training settings (if they are closed). */
  async openSettings() {
    const settings = this.page.locator('[data-testid=settings]');
    if ((await settings.getAttribute('open')) === null) await settings.locator('summary').click();
  }

  /** The versions in the table, newest first: [{version, accuracy}]. */
  async versions() {
    return this.page.locator(SEL.versionRow).evaluateAll((els) =>
      els.map((el) => ({
        version: Number(el.getAttribute('data-version')),
        accuracy: Number(el.getAttribute('data-accuracy')),
        text: (el.textContent ?? '').trim(),
      })),
    );
  }

  /** Waits until the versions table has a row for `version`, kept in IndexedDB. */
  async waitForVersion(version, { timeout = 30_000 } = {}) {
    // data-stored: the record and model file are written to IndexedDB (a reload finds them).
    await this.page.locator(`${SEL.versionRow}[data-version="${version}"][data-stored=true]`).waitFor({ timeout });
  }

  /** Clicks `testid` and returns the download it starts: {name, path}. */
  async download(selector) {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.page.locator(selector).click()]);
    return { name: download.suggestedFilename(), path: await download.path() };
  }

  async screenshot(path) {
    await this.page.screenshot({ path, fullPage: true });
  }
}
