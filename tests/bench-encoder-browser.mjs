// Benchmark (prints figures; asserts nothing about speed): the pretrained encoder trained in
// headless Chromium on the built-in Spanish sample (public/samples/resenas.csv, 150 rows), on
// the CPU (flex in wasm) and on WebGPU (SwiftShader here: a software GPU, its times say nothing
// about a real one). Per device, in a fresh profile: time to download and cache the weights,
// to embed the rows, the whole run, the worker's WebAssembly memory, the validation accuracy,
// and the accuracy of the tab's model on ../shared/bench/es/resenas_eval.tsv (360 rows, through
// the Test step's batch file), with the native CLI's figure to compare in BENCHMARKS.md. Then
// one fine-tuning run (full method) on the CPU.
//
// Run after a release build with the weights:  node tests/bench-encoder-browser.mjs [--skip-finetune]
//   [--only=cpu-head,gpu-head,cpu-full,cpu-lora,cpu-contrastive]   (only these runs; cpu-lora and
//   cpu-contrastive are not in the default list: the contrastive method takes ~30 min in a tab)
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

import { startServer, REPO_ROOT } from './serve.mjs';
import { AfinaPage, CHROMIUM_ARGS, SEL } from './afina-page.mjs';

const DIST = resolve(REPO_ROOT, 'dist');
const EVAL = resolve(REPO_ROOT, '../shared/bench/es/resenas_eval.tsv');
const SKIP_FINETUNE = process.argv.includes('--skip-finetune');
const TIMEOUT = 1_800_000;

/** resenas_eval.tsv as a CSV the batch input reads (text, label). */
function evalCsv() {
  const lines = readFileSync(EVAL, 'utf8').trim().split('\n');
  const quote = (value) => `"${value.replaceAll('"', '""')}"`;
  const rows = lines.slice(1).map((line) => line.split('\t')).map(([text, label]) => `${quote(text)},${label}`);
  return `texto,etiqueta\n${rows.join('\n')}\n`;
}

async function run(browser, url, { device, stage }) {
  const page = await browser.newPage({ locale: 'en-US' });
  const app = new AfinaPage(page);
  await app.open(url);
  await page.locator('[data-testid=sample-button]').click();
  await app.rowCount();
  await app.chooseDevice(device);
  await page.locator('[data-testid=stage-choice]').selectOption(stage);
  const started = Date.now();
  await app.train({ model: 'encoder' });
  const marks = {};
  const deadline = Date.now() + TIMEOUT;
  while (Date.now() < deadline) {
    if ((await page.locator(`${SEL.accuracyWithValue}, ${SEL.trainError}`).count()) > 0) break;
    const phase = await page.locator('.running[data-phase]').getAttribute('data-phase', { timeout: 1000 }).catch(() => null);
    if (phase && !(phase in marks)) marks[phase] = Date.now() - started;
    await page.waitForTimeout(100);
  }
  const { accuracy } = await app.waitForAccuracy({ timeout: 60_000 });
  const total = Date.now() - started;
  const info = await app.device();
  const memory = Number(await page.locator(`${SEL.trainTime}[data-worker-memory]`).getAttribute('data-worker-memory'));
  const recipe = await page.locator('[data-testid=plan]').getAttribute('data-recipe');
  // The tab's model on the evaluation file.
  const batchStarted = Date.now();
  await page.locator('[data-testid=batch] summary').click();
  await page.locator('[data-testid=batch-file]').setInputFiles({ name: 'resenas_eval.csv', mimeType: 'text/csv', buffer: Buffer.from(evalCsv()) });
  const agree = page.locator('[data-testid=batch-agree]');
  await page.waitForFunction(() => /: \d+ \/ \d+/u.test(document.querySelector('[data-testid=batch-agree]')?.textContent ?? '') && document.querySelectorAll('[data-testid=batch-label]').length > 0, null, { timeout: TIMEOUT });
  const [, right, of] = ((await agree.textContent()) ?? '').match(/: (\d+) \/ (\d+)/u) ?? [];
  const batchMs = Date.now() - batchStarted;
  await page.close();
  return { info, marks, total, accuracy, memory, recipe, evalAccuracy: Number(right) / Number(of), batchMs };
}

const server = await startServer({ dir: DIST, port: 0 });
try {
  console.log('| device | stage | download+cache s | embedding s | whole run s | worker memory MB | validation acc. | resenas_eval acc. (360) | batch of 360 s |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  const every = {
    'cpu-head': { name: 'CPU (flex, wasm)', args: CHROMIUM_ARGS, device: 'Cpu', stage: 'head' },
    'gpu-head': { name: 'WebGPU (SwiftShader)', args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'], device: 'WebGpu', stage: 'head' },
    'cpu-full': { name: 'CPU (flex, wasm)', args: CHROMIUM_ARGS, device: 'Cpu', stage: 'full' },
    'cpu-lora': { name: 'CPU (flex, wasm)', args: CHROMIUM_ARGS, device: 'Cpu', stage: 'lora' },
    'cpu-contrastive': { name: 'CPU (flex, wasm)', args: CHROMIUM_ARGS, device: 'Cpu', stage: 'contrastive' },
  };
  const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
  const names = only ?? ['cpu-head', 'gpu-head', ...(SKIP_FINETUNE ? [] : ['cpu-full'])];
  const plans = names.map((name) => {
    if (!(name in every)) throw new Error(`unknown run ${name}: one of ${Object.keys(every).join(', ')}`);
    return every[name];
  });
  for (const plan of plans) {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: plan.args });
    try {
      const result = await run(browser, server.url, plan);
      const downloadS = ((result.marks.embedding ?? result.marks.training ?? result.total) - (result.marks.downloading ?? 0)) / 1000;
      const embeddingS = ((result.marks.training ?? result.total) - (result.marks.embedding ?? 0)) / 1000;
      console.log(
        `| ${plan.name} (${result.info.text}) | ${result.recipe} | ${downloadS.toFixed(1)} | ${embeddingS.toFixed(1)} | ${(result.total / 1000).toFixed(1)} | ${(result.memory / 1e6).toFixed(0)} | ${result.accuracy.toFixed(3)} | ${result.evalAccuracy.toFixed(3)} | ${(result.batchMs / 1000).toFixed(1)} |`,
      );
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.close();
}
