// Benchmark (prints figures; asserts nothing about speed): the wasm sizes in dist/ and the time
// to train the built-in sample (public/samples/resenas.csv) in headless Chromium, on WebGPU
// (SwiftShader, a software GPU) and on the CPU fallback, several runs each.
//
// Run after a release build:  node tests/bench-browser.mjs [runs]
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

import { startServer, REPO_ROOT } from './serve.mjs';
import { AfinaPage, CHROMIUM_ARGS } from './afina-page.mjs';

const DIST = resolve(REPO_ROOT, 'dist');
const RUNS = Number(process.argv[2] ?? 3);
const BASE_ARGS = CHROMIUM_ARGS;
const DEVICES = [
  { name: 'WebGPU (SwiftShader, software GPU)', kind: 'webgpu', args: [...BASE_ARGS, '--enable-unsafe-webgpu'] },
  { name: 'CPU (flex, wasm)', kind: 'cpu', args: BASE_ARGS },
];

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

console.log('| file | raw bytes | gzip bytes |\n|---|---:|---:|');
for (const name of readdirSync(DIST).filter((f) => f.endsWith('.wasm')).sort()) {
  const bytes = readFileSync(resolve(DIST, name));
  console.log(`| ${name.replace(/-[0-9a-f]{16}_bg/, '_bg')} | ${bytes.length} | ${gzipSync(bytes, { level: 9 }).length} |`);
}

const server = await startServer({ dir: DIST, port: 0 });
try {
  console.log(`\nTraining the built-in sample (150 rows, 3 labels, 15 epochs max), ${RUNS} runs per device:\n`);
  console.log('| device | adapter / reason | train ms (min / median / max) | validation accuracy |\n|---|---|---|---|');
  for (const device of DEVICES) {
    const times = [];
    let accuracy = NaN;
    let detail = '';
    for (let run = 0; run < RUNS; run++) {
      const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: device.args });
      try {
        const page = await browser.newPage({ locale: 'en-US' });
        const app = new AfinaPage(page);
        await app.open(server.url);
        await page.locator('[data-testid=sample-button]').click();
        await app.rowCount();
        await app.chooseDevice(device.kind === 'webgpu' ? 'WebGpu' : 'Cpu');
        await app.train();
        const info = await app.device();
        if (info.kind !== device.kind) throw new Error(`expected ${device.kind}, got ${info.kind}: ${info.text}`);
        detail = info.text;
        const result = await app.waitForAccuracy({ timeout: 600_000 });
        times.push(result.trainMs);
        accuracy = result.accuracy;
      } finally {
        await browser.close();
      }
    }
    const fmt = (ms) => Math.round(ms);
    console.log(
      `| ${device.name} | ${detail} | ${fmt(Math.min(...times))} / ${fmt(median(times))} / ${fmt(Math.max(...times))} | ${(accuracy * 100).toFixed(1)} % |`,
    );
  }
} finally {
  await server.close();
}
