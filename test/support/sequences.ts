/**
 * The largest sequence a user can save, built to the byte: as many wide branch steps as fit, an
 * email step, then exit steps whose reasons fill the rest (test/api/bounds.test.ts stores it;
 * test/kernel/sequence-size.test.ts launches its worst case).
 */
import {
  ID_MAX,
  jsonBytes,
  NAME_MAX,
  SEQUENCE_MAX_BYTES,
  SequenceInput,
  TEXT_MAX,
} from '../../functions/kernel/model';

/** A string of n characters, three UTF-8 bytes each after the seed. */
export const wide = (n: number, seed = '') => (seed + '€'.repeat(n)).slice(0, n);
/** An id of the longest length, starting with the prefix. */
export const longId = (prefix: string) => (prefix + '-' + 'x'.repeat(ID_MAX)).slice(0, ID_MAX);

/** What is measured is what is stored: the parsed definition, defaults filled in. */
export const sequenceBytes = (s: object) => jsonBytes(SequenceInput.parse({ id: 'largest', ...s }));

const everything = {
  minScore: -999_999_999.5,
  maxScore: 999_999_999.5,
  stages: ['target', 'engaged', 'mqa', 'opportunity', 'customer', 'disqualified'],
  notStages: ['target', 'engaged', 'mqa', 'opportunity', 'customer', 'disqualified'],
  minEngagedContacts: Number.MAX_SAFE_INTEGER,
  minEngagedRoles: Number.MAX_SAFE_INTEGER,
  events: ['email.opened', 'email.clicked', 'web.visit', 'meeting.booked', 'intent.surge'],
};

function sequence(branches: number, reasons: number[]) {
  const last = longId('last');
  const branch = (i: number) => ({
    id: longId(`b${i}`),
    type: 'branch',
    if: everything,
    cases: Array.from({ length: 20 }, () => ({ if: everything, goto: last })),
    default: 'next',
  });
  return {
    name: wide(NAME_MAX),
    description: wide(TEXT_MAX),
    steps: [
      ...Array.from({ length: branches }, (_, i) => branch(i)),
      { id: last, channel: 'email', after: 'P1D', to: 'all', template: 'intro' },
      ...reasons.map((n, i) => ({ id: longId(`x${i}`), type: 'exit', reason: 'r'.repeat(n) })),
    ],
  };
}

/**
 * The largest sequence (exactly `bytes` as stored, SEQUENCE_MAX_BYTES by default; it sends with
 * template `intro`), and the same one a byte larger.
 */
export function largestSequence(bytes = SEQUENCE_MAX_BYTES): { largest: object; oneMore: object } {
  let branches = 0;
  while (sequenceBytes(sequence(branches + 1, [])) <= bytes) branches++;
  const reasons: number[] = [];
  for (;;) {
    const room = bytes - sequenceBytes(sequence(branches, [...reasons, 1])) + 1;
    if (room < 1) break;
    reasons.push(Math.min(room, TEXT_MAX));
    if (room <= TEXT_MAX) break;
  }
  const largest = sequence(branches, reasons);
  const oneMore = sequence(branches, [...reasons.slice(0, -1), reasons[reasons.length - 1]! + 1]);
  return { largest, oneMore };
}
