// Trunk post-build hook: writes a strict Content-Security-Policy into the built index.html.
// Trunk inlines the module script that starts the app, and its text (hashed file names)
// changes with every build, so the policy names that script by its SHA-256 instead of allowing
// inline scripts.
//
//   TRUNK_STAGING_DIR=dist node scripts/csp.mjs   (Trunk sets the variable for hooks)

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('csp.mjs: TRUNK_STAGING_DIR is not set (run it as a Trunk post_build hook)');
  process.exit(2);
}
const file = resolve(dir, 'index.html');
const html = readFileSync(file, 'utf8');
if (html.includes('http-equiv="Content-Security-Policy"')) {
  console.error('csp.mjs: index.html already has a policy');
  process.exit(2);
}
const hashes = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/gu)].map(
  ([, body]) => `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`,
);
if (hashes.length === 0) {
  console.error('csp.mjs: no inline script found: has Trunk changed how it starts the app?');
  process.exit(2);
}
const policy = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`,
  "style-src 'self'",
  // Bar widths are set as style attributes; no user text ever reaches a style.
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
const out = html.replace(/<meta charset="utf-8" \/>/u, (charset) => `${charset}\n    ${meta}`);
if (out === html) {
  console.error('csp.mjs: <meta charset="utf-8" /> not found in index.html');
  process.exit(2);
}
writeFileSync(file, out);
console.log(`csp.mjs: policy written with ${hashes.length} script hash(es)`);
