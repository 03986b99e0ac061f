// A seeded random CSV of short Spanish "reviews" with three labels, for tests that need many
// rows (a run of many steps, a run slow enough to stop midway).

const WORDS = 'el la un una comida servicio precio sitio bueno malo caro rico lento rápido amable frío'.split(' ');
const LABELS = ['positivo', 'negativo', 'neutral'];
/** Words put before a row's text when its label should be learnable. */
const CUES = { positivo: 'bueno rico', negativo: 'malo frío', neutral: 'normal' };

/**
 * `rows` rows (`text,label` header). Labels are drawn at random (nothing to learn) or, with
 * `learnable`, cycle through the three labels and each text starts with its label's cue words.
 */
export function randomReviewsCsv(rows, { seed = 12345, learnable = false } = {}) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state;
  };
  const lines = ['text,label'];
  for (let i = 0; i < rows; i += 1) {
    if (learnable) {
      const label = LABELS[i % 3];
      const text = Array.from({ length: 6 + (next() % 8) }, () => WORDS[next() % WORDS.length]).join(' ');
      lines.push(`${CUES[label]} ${text} ${i},${label}`);
    } else {
      const text = Array.from({ length: 8 + (next() % 10) }, () => WORDS[next() % WORDS.length]).join(' ');
      lines.push(`${text} ${i},${LABELS[next() % 3]}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
