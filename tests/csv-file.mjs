// Writes a text/label CSV for the streaming test, with known problems at known lines, and
// returns what a validator must find in it.

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

import { generator } from './chat-file.mjs';

const LABELS = ['positivo', 'negativo', 'neutral'];
const WORDS = ('la comida el servicio muy bueno malo lento rápido mesa camarero postre precio ' +
  'volveremos nunca más todo bien frío caliente sitio agradable ruido terraza cena menú').split(' ');

/**
 * Writes about `megabytes` MB of `texto,etiqueta` rows to `path`. Line 3 has a field too
 * many (`ragged_row`), line 5 is blank, line 6 has no text (`empty_text`), line 8 no label
 * (`missing_label`), lines 9–10 are one quoted text over two lines (a valid row), line 12
 * repeats line 2 (`duplicate_row`), and every `crlfEvery`-th line ends in \r\n.
 * Resolves to {bytes, lines, rows, labels: {label: rows}, raggedLine, emptyTextLine,
 * missingLabelLine, duplicateLine}.
 */
export async function writeReviewsCsv(path, megabytes, { crlfEvery = 7, seed = 11 } = {}) {
  const pick = generator(seed);
  const sentence = (k) => Array.from({ length: k }, () => WORDS[pick(WORDS.length)]).join(' ');
  const out = createWriteStream(path);
  const target = megabytes * 1e6;
  const labels = {};
  let bytes = 0;
  let line = 1;
  let rows = 0;
  let second = '';
  let buffer = 'texto,etiqueta\n';
  const count = (label) => {
    labels[label] = (labels[label] ?? 0) + 1;
    rows += 1;
  };
  while (bytes + buffer.length < target || line < 12) {
    line += 1;
    let record;
    if (line === 3) {
      record = 'Buena, pero cara,positivo';
    } else if (line === 5) {
      record = '';
    } else if (line === 6) {
      record = ',negativo';
    } else if (line === 8) {
      record = 'Sin opinión,';
    } else if (line === 9) {
      record = '"Dijo ""vuelvo"" y\nno volvió",negativo';
      line += 1;
      count('negativo');
    } else if (line === 12) {
      record = second;
      count(second.split(',').at(-1));
    } else {
      const label = LABELS[pick(LABELS.length)];
      const text = sentence(6 + pick(30));
      record = pick(4) === 0 ? `"${text}, ${sentence(3)}",${label}` : `${text},${label}`;
      count(label);
      if (line === 2) second = record;
    }
    buffer += record + (line % crlfEvery === 0 ? '\r\n' : '\n');
    if (buffer.length > 1 << 20) {
      bytes += Buffer.byteLength(buffer);
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  bytes += Buffer.byteLength(buffer);
  out.write(buffer);
  out.end();
  await once(out, 'finish');
  return { bytes, lines: line, rows, labels, raggedLine: 3, emptyTextLine: 6, missingLabelLine: 8, duplicateLine: 12 };
}
