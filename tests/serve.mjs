#!/usr/bin/env node
// A dependency-free static file server for Afina's built site (trunk's `dist/`).
//
// As a module:  const { url, close } = await startServer({ dir, port });
// As a script:  node tests/serve.mjs [--dir dist] [--port 8080]

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository root (this file lives in `<root>/tests/`). */
export const REPO_ROOT = resolve(HERE, '..');

/** MIME types by file extension. */
export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/jsonl; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

/** Resolves a request path to a file inside `root`, or null if it would escape it. */
function resolveInside(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const target = resolve(root, '.' + (decoded.startsWith('/') ? decoded : '/' + decoded));
  const rel = relative(root, target);
  if (rel === '') return target;
  if (rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return null;
  return target;
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-cache',
    ...headers,
  });
  res.end(body);
}

/**
 * Sends `source` (a readable stream, or a Buffer) at about `rate` bytes a second, a tenth of a
 * second's worth at a time (tests only).
 */
function sendSlowly(res, source, rate) {
  const chunk = Math.max(1, Math.floor(rate / 10));
  if (Buffer.isBuffer(source)) {
    let offset = 0;
    const next = () => {
      if (res.destroyed) return;
      if (offset >= source.length) {
        res.end();
        return;
      }
      res.write(source.subarray(offset, offset + chunk));
      offset += chunk;
      setTimeout(next, 100);
    };
    next();
    return;
  }
  source.on('error', () => res.destroy());
  res.on('close', () => source.destroy());
  source.on('data', (data) => {
    source.pause();
    res.write(data);
    setTimeout(() => source.resume(), 100);
  });
  source.on('end', () => res.end());
}

/**
 * Starts the server.
 * @param {{dir?: string, port?: number, host?: string, prefixes?: Record<string, string>, rates?: Record<string, number>, corrupt?: string[]}} [options]
 *   dir: directory to serve (default `<repo>/dist`); port: 0 picks a free one; prefixes: for
 *   tests only, text put before a file's own (by URL path, e.g. `/training-worker.js`); rates:
 *   for tests only, bytes a second a file is sent at (by URL path), to watch a slow download;
 *   corrupt: for tests only, URL paths whose files are sent with one byte in the middle changed
 *   (same size, another SHA-256).
 * @returns {Promise<{url: string, port: number, paths: string[], close: () => Promise<void>}>}
 *   paths: the URL path of every request served, in order (tests count downloads with it).
 */
export async function startServer({ dir = resolve(REPO_ROOT, 'dist'), port = 8080, host = '127.0.0.1', prefixes = {}, rates = {}, corrupt = [] } = {}) {
  const root = resolve(dir);
  const info = await stat(root).catch(() => null);
  if (!info || !info.isDirectory()) {
    throw new Error(`${root} is not a directory`);
  }

  const paths = [];
  const server = createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'Method Not Allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    let pathname;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
      paths.push(pathname);
    } catch {
      send(res, 400, 'Bad Request\n');
      return;
    }
    let file = resolveInside(root, pathname);
    if (!file) {
      send(res, 404, 'Not Found\n');
      return;
    }
    let st = await stat(file).catch(() => null);
    if (st && st.isDirectory()) {
      file = resolve(file, 'index.html');
      st = await stat(file).catch(() => null);
    }
    if (!st || !st.isFile()) {
      send(res, 404, 'Not Found\n');
      return;
    }
    const type = MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    const prefix = Object.hasOwn(prefixes, pathname) ? prefixes[pathname] : null;
    if (prefix !== null) {
      const body = Buffer.concat([Buffer.from(prefix, 'utf8'), await readFile(file)]);
      res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': st.size,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const rate = Object.hasOwn(rates, pathname) ? rates[pathname] : null;
    if (corrupt.includes(pathname)) {
      const body = await readFile(file);
      const middle = Math.floor(body.length / 2);
      body[middle] ^= 0xff;
      sendSlowly(res, body, rate ?? body.length);
      return;
    }
    if (rate) {
      sendSlowly(res, createReadStream(file, { highWaterMark: Math.max(1, Math.floor(rate / 10)) }), rate);
      return;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });

  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const actualPort = server.address().port;
  return {
    url: `http://${host}:${actualPort}`,
    port: actualPort,
    paths,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections?.();
      }),
  };
}

function parseArgs(argv) {
  const opts = { dir: 'dist', port: 8080 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [key, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (key === '--dir') opts.dir = value();
    else if (key === '--port') opts.port = Number(value());
    else if (key === '--help' || key === '-h') {
      console.log('usage: node tests/serve.mjs [--dir DIR] [--port PORT]');
      process.exit(0);
    } else {
      console.error(`unknown argument: ${arg}`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    console.error(`invalid port: ${opts.port}`);
    process.exit(2);
  }
  return opts;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const opts = parseArgs(process.argv.slice(2));
  const dir = resolve(process.cwd(), opts.dir);
  try {
    const { url, close } = await startServer({ dir, port: opts.port });
    console.log(`Afina is served at ${url}`);
    const stop = () => close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (err) {
    console.error(`serve: ${err.message}`);
    process.exit(1);
  }
}
