// End-to-end tests of the WebGPU guard: a GPU that rejects the training's kernels, or is lost
// mid-run, must never yield a result. Headless Chromium's WebGPU (SwiftShader) accepts every
// kernel, so the server puts a test-only prefix before the training worker's entry script
// (`/training-worker.js`) that breaks the WGSL of some shaders (as Dawn on an NVIDIA GPU did
// with burn's matmul, see ARCHITECTURE.md) or destroys the device after some submissions.
// Each test checks: the message in the page's language, the CPU offer ("GPU") or the CPU
// run that names the failure ("Auto"), no version from the broken device, and the long-task
// rule.
//
// Run: node --test tests/e2e-gpu.mjs      (after `trunk build --release --offline`)

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { startServer, REPO_ROOT } from './serve.mjs';
import { AfinaPage, CHROMIUM_ARGS, SEL, longestMainThreadTask } from './afina-page.mjs';
import { randomReviewsCsv } from './random-reviews.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(process.env.AFINA_DIST ?? resolve(REPO_ROOT, 'dist'));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = resolve(HERE, 'output');
const TRAIN_TIMEOUT_MS = 180_000;
/** A GPU failure must be reported within seconds of the click (SwiftShader included). */
const FAILURE_WITHIN_MS = 30_000;
/** The rule: no main-thread task over 100 ms (CPU time of the task). */
const LONGEST_TASK_LIMIT_MS = 100;
const WORKER_ENTRY = '/training-worker.js';

/**
 * Test-only prefix: every shader module whose WGSL matches `pattern` (a RegExp source) gets a
 * line that is not WGSL, so the browser rejects it the way Dawn rejected burn's matmul.
 */
function corruptShaders(pattern) {
  return `// afina test prefix: corrupt the WGSL of shaders matching ${pattern}
(() => {
  if (typeof GPUDevice === 'undefined') return;
  const pattern = new RegExp(${JSON.stringify(pattern)}, 'u');
  const createShaderModule = GPUDevice.prototype.createShaderModule;
  self.__afinaCorrupted = 0;
  GPUDevice.prototype.createShaderModule = function corrupt(descriptor) {
    const code = String(descriptor?.code ?? '');
    if (!pattern.test(code)) return createShaderModule.call(this, descriptor);
    self.__afinaCorrupted += 1;
    return createShaderModule.call(this, { ...descriptor, code: code + '\\nafina_test_corruption: this is not WGSL;\\n' });
  };
})();
`;
}

/** Test-only prefix: destroys the WebGPU device right after its `submits`-th queue submission. */
function loseDeviceAfter(submits) {
  return `// afina test prefix: GPUDevice.destroy() after ${submits} submissions
(() => {
  if (typeof GPUAdapter === 'undefined') return;
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function lose(descriptor) {
    const device = await requestDevice.call(this, descriptor);
    const submit = device.queue.submit;
    let count = 0;
    device.queue.submit = function counted(buffers) {
      const result = submit.call(this, buffers);
      count += 1;
      if (count === ${submits}) device.destroy();
      return result;
    };
    return device;
  };
})();
`;
}

/** Test-only prefix: from the `reads`-th buffer read on, the GPU never answers (a hung device). */
function hangAfterReads(reads) {
  return `// afina test prefix: mapAsync never settles from read ${reads} on
(() => {
  if (typeof GPUBuffer === 'undefined') return;
  const mapAsync = GPUBuffer.prototype.mapAsync;
  let count = 0;
  GPUBuffer.prototype.mapAsync = function hang(...args) {
    count += 1;
    if (count >= ${reads}) return new Promise(() => {});
    return mapAsync.apply(this, args);
  };
})();
`;
}

/** Starts a server whose training worker carries `prefix`, and Chromium with WebGPU. */
async function setUp(prefix) {
  mkdirSync(OUTPUT, { recursive: true });
  const server = await startServer({ dir: DIST, port: 0, prefixes: { [WORKER_ENTRY]: prefix } });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'],
  });
  return {
    server,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** Opens the app in a new context; collects page errors and the worker's console errors. */
async function openApp(browser, url, locale) {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const pageErrors = [];
  const consoleErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  const app = new AfinaPage(page);
  await app.open(url);
  return { context, page, app, pageErrors, consoleErrors };
}

/** Waits for the GPU failure panel; returns its message and the time since `since` (page ms). */
async function gpuFailure(page, app, since) {
  const panel = page.locator('[data-testid=gpu-failed]');
  await panel.waitFor({ timeout: FAILURE_WITHIN_MS + 30_000 });
  const elapsed = (await app.now()) - since;
  const message = ((await panel.locator('[data-testid=train-error]').textContent()) ?? '').trim();
  return { message, elapsed };
}

/** The versions stored so far ([] when the table is empty). */
async function storedVersions(page, app) {
  // Give a result from the broken device every chance to arrive before looking.
  await page.waitForTimeout(1_500);
  return app.versions();
}

describe('Afina: a GPU that fails never yields a result', () => {
  test('matmul rejected, "GPU": a clear message, no version, then the CPU on request', { timeout: TRAIN_TIMEOUT_MS * 2 }, async () => {
    const setup = await setUp(corruptShaders('matmul'));
    try {
      const { context, page, app, pageErrors, consoleErrors } = await openApp(setup.browser, setup.server.url, 'es-ES');
      await page.locator('[data-testid=sample-button]').click();
      assert.equal(await app.rowCount(), 150);
      await app.chooseDevice('WebGpu');
      let failure;
      let accuracy;
      let device;
      const longest = await longestMainThreadTask(setup.browser, page, async () => {
        const clicked = await app.train();
        failure = await gpuFailure(page, app, clicked);
        assert.deepEqual(await storedVersions(page, app), [], 'no version from the broken device');
        await page.screenshot({ path: resolve(OUTPUT, 'gpu-failed-es.png'), fullPage: true });
        await page.locator('[data-testid=continue-on-cpu]').click();
        device = await app.device();
        ({ accuracy } = await app.waitForAccuracy({ timeout: TRAIN_TIMEOUT_MS }));
      });
      console.log(`matmul rejected, GPU: "${failure.message}" after ${(failure.elapsed / 1000).toFixed(1)} s`);
      assert.match(failure.message, /^La GPU rechazó una operación del entrenamiento \(WebGPU\): ./u);
      assert.ok(failure.elapsed <= FAILURE_WITHIN_MS, `reported within seconds: ${failure.elapsed} ms`);
      assert.equal(device.kind, 'cpu', 'the offered run trains on the CPU');
      assert.ok(accuracy >= 0.6, `the sample is learnt on the CPU: ${accuracy}`);
      const versions = await app.versions();
      assert.equal(versions.length, 1, 'one version: the CPU run');
      assert.match(versions[0].text, /CPU/u, 'trained on the CPU');
      // WebGPU stays out of use in this tab: asking for it again fails at once, with the offer.
      await app.chooseDevice('WebGpu');
      const again = await app.train();
      const second = await gpuFailure(page, app, again);
      assert.match(second.message, /^La GPU rechazó una operación/u);
      assert.ok(
        consoleErrors.some((text) => /afina WebGPU guard/u.test(text)),
        'the guard logged the browser\'s error text to the console',
      );
      console.log(`guard log: ${consoleErrors.find((text) => /afina WebGPU guard/u.test(text))?.slice(0, 400)}`);
      console.log(
        `longest main-thread task ${longest.cpuMs.toFixed(1)} ms of CPU (${longest.wallMs.toFixed(1)} ms wall; ${longest.tasks} tasks)`,
      );
      assert.ok(longest.tasks > 0, 'the trace recorded the main thread');
      assert.ok(longest.cpuMs <= LONGEST_TASK_LIMIT_MS, `no main-thread task over ${LONGEST_TASK_LIMIT_MS} ms: ${longest.cpuMs}`);
      assert.deepEqual(pageErrors, []);
      await context.close();
    } finally {
      await setup.close();
    }
  });

  test('matmul rejected, "Auto": trains on the CPU and names the GPU failure', { timeout: TRAIN_TIMEOUT_MS }, async () => {
    const setup = await setUp(corruptShaders('matmul'));
    try {
      const { context, page, app, pageErrors } = await openApp(setup.browser, setup.server.url, 'en-US');
      await page.locator('[data-testid=sample-button]').click();
      assert.equal(await app.rowCount(), 150);
      await app.chooseDevice('Auto');
      const clicked = await app.train();
      const device = await app.device({ timeout: FAILURE_WITHIN_MS + 30_000 });
      const elapsed = (await app.now()) - clicked;
      console.log(`matmul rejected, Auto: "${device.text}" after ${(elapsed / 1000).toFixed(1)} s`);
      assert.equal(device.kind, 'cpu');
      assert.match(device.text, /^CPU — the GPU failed, so training goes on on the CPU: The GPU rejected a training operation \(WebGPU\): ./u);
      assert.ok(elapsed <= FAILURE_WITHIN_MS, `the CPU took over within seconds: ${elapsed} ms`);
      const { accuracy } = await app.waitForAccuracy({ timeout: TRAIN_TIMEOUT_MS });
      assert.ok(accuracy >= 0.6, `the sample is learnt on the CPU: ${accuracy}`);
      await app.waitForVersion(1);
      const versions = await app.versions();
      assert.equal(versions.length, 1, 'one version');
      assert.match(versions[0].text, /CPU/u, 'kept from the CPU run');
      await page.locator('section.panel', { has: page.locator(SEL.trainButton) }).screenshot({ path: resolve(OUTPUT, 'gpu-auto-fallback-en.png') });
      assert.deepEqual(pageErrors, []);
      await context.close();
    } finally {
      await setup.close();
    }
  });

  test('every compute shader rejected: "GPU" fails cleanly and "Auto" trains on the CPU', { timeout: TRAIN_TIMEOUT_MS }, async () => {
    const setup = await setUp(corruptShaders('@compute'));
    try {
      const gpu = await openApp(setup.browser, setup.server.url, 'en-US');
      await gpu.page.locator('[data-testid=sample-button]').click();
      assert.equal(await gpu.app.rowCount(), 150);
      await gpu.app.chooseDevice('WebGpu');
      const clicked = await gpu.app.train();
      const failure = await gpuFailure(gpu.page, gpu.app, clicked);
      console.log(`all shaders rejected, GPU: "${failure.message}" after ${(failure.elapsed / 1000).toFixed(1)} s`);
      assert.match(failure.message, /^The GPU rejected a training operation \(WebGPU\): ./u);
      assert.ok(failure.elapsed <= FAILURE_WITHIN_MS, `reported within seconds: ${failure.elapsed} ms`);
      assert.deepEqual(await storedVersions(gpu.page, gpu.app), [], 'no version from the broken device');
      assert.deepEqual(gpu.pageErrors, []);
      await gpu.context.close();

      // A fresh tab (a new worker) with "Auto".
      const auto = await openApp(setup.browser, setup.server.url, 'es-ES');
      await auto.page.locator('[data-testid=sample-button]').click();
      assert.equal(await auto.app.rowCount(), 150);
      await auto.app.chooseDevice('Auto');
      await auto.app.train();
      const device = await auto.app.device({ timeout: FAILURE_WITHIN_MS + 30_000 });
      assert.equal(device.kind, 'cpu');
      assert.match(device.text, /^CPU — la GPU falló, así que se entrena en la CPU: La GPU rechazó una operación del entrenamiento \(WebGPU\): ./u);
      const { accuracy } = await auto.app.waitForAccuracy({ timeout: TRAIN_TIMEOUT_MS });
      assert.ok(accuracy >= 0.6, `learnt on the CPU: ${accuracy}`);
      await auto.app.waitForVersion(1);
      assert.equal((await auto.app.versions()).length, 1);
      assert.deepEqual(auto.pageErrors, []);
      await auto.context.close();
    } finally {
      await setup.close();
    }
  });

  test('the device is lost mid-training: a clear message, no version, the CPU still works', { timeout: TRAIN_TIMEOUT_MS }, async () => {
    const setup = await setUp(loseDeviceAfter(40));
    try {
      const { context, page, app, pageErrors } = await openApp(setup.browser, setup.server.url, 'es-ES');
      await app.drop('grande.csv', randomReviewsCsv(3_000, { seed: 4242, learnable: true }));
      assert.equal(await app.rowCount(), 3_000);
      await app.chooseDevice('WebGpu');
      await page.locator('[data-testid=setting-epochs]').fill('20');
      await page.locator('[data-testid=setting-epochs]').press('Tab');
      let failure;
      const longest = await longestMainThreadTask(setup.browser, page, async () => {
        const clicked = await app.train();
        failure = await gpuFailure(page, app, clicked);
      });
      console.log(`device lost: "${failure.message}" after ${(failure.elapsed / 1000).toFixed(1)} s`);
      assert.match(failure.message, /^Se perdió la GPU durante el entrenamiento \(WebGPU\): destroyed/u);
      assert.deepEqual(await storedVersions(page, app), [], 'no version from the lost device');
      assert.ok(longest.cpuMs <= LONGEST_TASK_LIMIT_MS, `no main-thread task over ${LONGEST_TASK_LIMIT_MS} ms: ${longest.cpuMs}`);
      // The worker survived: the CPU run it offers trains and predicts.
      await page.locator('[data-testid=setting-epochs]').fill('2');
      await page.locator('[data-testid=setting-epochs]').press('Tab');
      await page.locator('[data-testid=continue-on-cpu]').click();
      const { accuracy } = await app.waitForAccuracy({ timeout: TRAIN_TIMEOUT_MS });
      assert.ok(accuracy >= 0.6, `learnt on the CPU: ${accuracy}`);
      const versions = await app.versions();
      assert.equal(versions.length, 1);
      const top = await app.predict('bueno rico servicio');
      assert.equal(top[0].label, 'positivo');
      assert.deepEqual(pageErrors, []);
      await context.close();
    } finally {
      await setup.close();
    }
  });

  test('the GPU stops answering: the watchdog ends the run, no version, the CPU still works', { timeout: TRAIN_TIMEOUT_MS }, async () => {
    const setup = await setUp(hangAfterReads(5));
    try {
      const { context, page, app, pageErrors } = await openApp(setup.browser, setup.server.url, 'es-ES');
      await page.locator('[data-testid=sample-button]').click();
      assert.equal(await app.rowCount(), 150);
      await app.chooseDevice('WebGpu');
      const clicked = await app.train();
      const failure = await gpuFailure(page, app, clicked);
      console.log(`hung GPU: "${failure.message}" after ${(failure.elapsed / 1000).toFixed(1)} s`);
      assert.match(failure.message, /^La GPU dejó de responder \(WebGPU\): un paso del entrenamiento no volvió en 20 s$/u);
      // The worker's watchdog waits 20 s; the rest is opening WebGPU and the first steps.
      assert.ok(failure.elapsed <= 45_000, `the watchdog ended it: ${failure.elapsed} ms`);
      assert.deepEqual(await storedVersions(page, app), [], 'no version from the hung device');
      await page.locator('[data-testid=continue-on-cpu]').click();
      const { accuracy } = await app.waitForAccuracy({ timeout: TRAIN_TIMEOUT_MS });
      assert.ok(accuracy >= 0.6, `learnt on the CPU: ${accuracy}`);
      assert.equal((await app.versions()).length, 1);
      assert.deepEqual(pageErrors, []);
      await context.close();
    } finally {
      await setup.close();
    }
  });
});
