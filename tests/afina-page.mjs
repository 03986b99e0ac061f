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

  /** Clicks "train"; returns the page time (ms) at the click. */
  async train() {
    const button = this.page.locator(SEL.trainButton);
    await button.waitFor({ state: 'visible' });
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
   * Types a sentence to classify and waits for the predictions; returns them
   * sorted by rank: [{rank, label, confidence, text}].
   */
  async predict(text, { timeout = 30_000 } = {}) {
    await this.page.locator(SEL.predictInput).fill(text);
    const button = this.page.locator(SEL.predictButton);
    if ((await button.count()) > 0 && (await button.isEnabled())) await button.click();
    await this.page.locator(`${SEL.topPrediction}[data-confidence]`).waitFor({ timeout });
    const rows = await this.page.locator(SEL.prediction).evaluateAll((els) =>
      els.map((el) => ({
        rank: Number(el.getAttribute('data-rank')),
        label: el.getAttribute('data-label'),
        confidence: Number(el.getAttribute('data-confidence')),
        text: (el.textContent ?? '').trim(),
      })),
    );
    return rows.sort((a, b) => a.rank - b.rank);
  }

  async screenshot(path) {
    await this.page.screenshot({ path, fullPage: true });
  }
}
