// Writes a chat-format JSONL file for the streaming tests and benchmarks, with known
// problems at known lines, and returns what a validator must find in it.

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const TOPICS = ['envío', 'garantía', 'devolución', 'horario', 'precio', 'factura', 'reserva', 'refund'];
const WORDS = ('el la los un una de del en con por para que no sí muy más pedido producto cliente tienda ' +
  'tarjeta días semana hoy mañana gracias hola buenos tardes order product thanks please when').split(' ');

/** Small deterministic generator (xorshift32), so the file is the same every run. */
export function generator(seed) {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x % n;
  };
}

/**
 * Writes about `megabytes` MB to `path`. Every `brokenEvery`-th line loses its closing brace
 * (`invalid_json`); line 3 has an unknown role, line 5 is blank and line 7 repeats line 2;
 * the user of line 9 gives an e-mail address (`personal_data`) and the answer of line 11 is
 * garbled UTF-8 (`mojibake`).
 * Resolves to {bytes, lines, invalidJsonLines: number[], roleLine, blankLine, duplicateLine,
 * personalLine, mojibakeLine, rows}.
 */
export async function writeChatFile(path, megabytes, { brokenEvery = 5000, seed = 7 } = {}) {
  const pick = generator(seed);
  const sentence = (k) => {
    const words = Array.from({ length: k }, () => WORDS[pick(WORDS.length)]);
    const text = words.join(' ');
    return text.charAt(0).toUpperCase() + text.slice(1) + '.';
  };
  const out = createWriteStream(path);
  const target = megabytes * 1e6;
  let bytes = 0;
  let line = 0;
  let second = '';
  const invalidJsonLines = [];
  let rows = 0;
  let buffer = '';
  while (bytes < target) {
    line += 1;
    let text;
    if (line === 3) {
      text = JSON.stringify({ messages: [{ role: 'bot', content: 'Hola' }, { role: 'assistant', content: 'Hola' }] });
    } else if (line === 5) {
      text = '';
    } else if (line === 7) {
      text = second;
      rows += 1;
    } else if (line === 9 || line === 11) {
      const user = line === 9 ? '¿Me escribís a ana.garcia@correo.es con el pedido?' : '¿Cuándo llega?';
      const answer = line === 9 ? 'Claro, te escribimos hoy.' : 'La canciÃ³n llega maÃ±ana.';
      text = JSON.stringify({ messages: [{ role: 'system', content: 'Eres el asistente de la tienda. Respondes con amabilidad.' }, { role: 'user', content: user }, { role: 'assistant', content: answer }] });
      rows += 1;
    } else {
      const messages = [{ role: 'system', content: 'Eres el asistente de la tienda. Respondes con amabilidad.' }];
      for (let turn = 0; turn < 1 + pick(3); turn += 1) {
        messages.push({ role: 'user', content: `¿${TOPICS[pick(TOPICS.length)]}? ${sentence(5 + pick(20))}` });
        messages.push({ role: 'assistant', content: sentence(10 + pick(50)) });
      }
      text = JSON.stringify({ messages });
      if (line % brokenEvery === 0) {
        text = text.slice(0, -1);
        invalidJsonLines.push(line);
      } else {
        rows += 1;
      }
      if (line === 2) second = text;
    }
    buffer += text + '\n';
    bytes += Buffer.byteLength(text) + 1;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.write(buffer);
  out.end();
  await once(out, 'finish');
  return { bytes, lines: line, invalidJsonLines, roleLine: 3, blankLine: 5, duplicateLine: 7, personalLine: 9, mojibakeLine: 11, rows };
}
