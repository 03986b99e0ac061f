// Unit test of the static server used by the e2e test and scripts/serve.sh.
// Run: node --test tests/serve.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startServer } from './serve.mjs';

let base;
let root;
let server;

/** GET with the path sent exactly as written (fetch would normalise `..`). */
function get(path, method = 'GET') {
  return new Promise((ok, fail) => {
    const { hostname, port } = new URL(server.url);
    const req = request({ host: hostname, port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

before(async () => {
  base = mkdtempSync(join(tmpdir(), 'afina-serve-'));
  root = join(base, 'dist');
  mkdirSync(join(root, 'samples'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Afina</title>');
  writeFileSync(join(root, 'app_bg.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(join(root, 'app.js'), 'export {};');
  writeFileSync(join(root, 'samples', 'resenas.csv'), 'texto,etiqueta\nBien,neutral\n');
  writeFileSync(join(root, 'samples', 'x.jsonl'), '{}\n');
  writeFileSync(join(base, 'secret.txt'), 'secret');
  server = await startServer({ dir: root, port: 0 });
});

after(async () => {
  await server?.close();
  rmSync(base, { recursive: true, force: true });
});

test('serves index.html at / with no-cache', async () => {
  const res = await get('/');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^text\/html/);
  assert.equal(res.headers['cache-control'], 'no-cache');
  assert.match(res.body, /Afina/);
});

test('MIME types', async () => {
  const cases = {
    '/app_bg.wasm': /^application\/wasm$/,
    '/app.js': /^text\/javascript/,
    '/samples/resenas.csv': /^text\/csv/,
    '/samples/x.jsonl': /jsonl/,
  };
  for (const [path, type] of Object.entries(cases)) {
    const res = await get(path);
    assert.equal(res.status, 200, path);
    assert.match(res.headers['content-type'], type, path);
    assert.equal(res.headers['cache-control'], 'no-cache', path);
  }
});

test('HEAD has headers and no body', async () => {
  const res = await get('/app.js', 'HEAD');
  assert.equal(res.status, 200);
  assert.equal(res.body, '');
  assert.equal(res.headers['content-length'], String('export {};'.length));
});

test('404 for missing files and a directory without index.html', async () => {
  assert.equal((await get('/nope.js')).status, 404);
  assert.equal((await get('/samples/')).status, 404);
});

test('no directory traversal', async () => {
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/samples/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%00']) {
    const res = await get(path);
    assert.equal(res.status, 404, path);
    assert.doesNotMatch(res.body, /secret/, path);
  }
});

test('a test-only prefix goes before the named file only', async () => {
  const prefixed = await startServer({ dir: root, port: 0, prefixes: { '/app.js': '// prefix\n' } });
  try {
    const fetchText = async (path) => {
      const res = await fetch(`${prefixed.url}${path}`);
      return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
    };
    const app = await fetchText('/app.js');
    assert.equal(app.status, 200);
    assert.match(app.type, /^text\/javascript/);
    assert.equal(app.body, '// prefix\nexport {};');
    const other = await fetchText('/samples/resenas.csv');
    assert.equal(other.body, 'texto,etiqueta\nBien,neutral\n');
  } finally {
    await prefixed.close();
  }
});
