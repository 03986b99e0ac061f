// Benchmark (prints figures; asserts nothing about speed): training on SST-2's train.tsv
// (../shared/bench/sst2, 60,614 rows) in headless Chromium through the app, as a user does:
// drop the file, press train. The app holds out 20 % for validation and picks the epochs
// ("auto"). Runs on the CPU fallback (flex in wasm) and on WebGPU (SwiftShader: a software GPU,
// so its time says little about a real GPU).
//
// Run after a release build:  node tests/bench-sst2-browser.mjs [cpu|webgpu|both]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

import { startServer, REPO_ROOT } from './serve.mjs';
import { AfinaPage, CHROMIUM_ARGS } from './afina-page.mjs';

const which = process.argv[2] ?? 'both';
const DEVICES = [
  { name: 'CPU (flex, wasm)', kind: 'cpu', args: CHROMIUM_ARGS },
  { name: 'WebGPU (SwiftShader, software GPU)', kind: 'webgpu', args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] },
].filter((device) => which === 'both' || device.kind === which);
const train = readFileSync(resolve(REPO_ROOT, '../shared/bench/sst2/train.tsv'), 'utf8');

const server = await startServer({ dir: resolve(REPO_ROOT, 'dist'), port: 0 });
try {
  console.log('| device | adapter / reason | rows | train seconds | validation accuracy |\n|---|---|---:|---:|---:|');
  for (const device of DEVICES) {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: device.args });
    try {
      const page = await browser.newPage({ locale: 'en-US' });
      const app = new AfinaPage(page);
      await app.open(server.url);
      await app.drop('train.tsv', train, 'text/tab-separated-values');
      const rows = await app.rowCount({ timeout: 120_000 });
      await app.chooseDevice(device.kind === 'webgpu' ? 'WebGpu' : 'Cpu');
      await app.train();
      const info = await app.device();
      if (info.kind !== device.kind) throw new Error(`expected ${device.kind}, got ${info.kind}: ${info.text}`);
      const result = await app.waitForAccuracy({ timeout: 3_600_000 });
      console.log(
        `| ${device.name} | ${info.text} | ${rows} | ${(result.trainMs / 1000).toFixed(1)} | ${(result.accuracy * 100).toFixed(2)} % |`,
      );
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.close();
}
