/**
 * Display names (issue 10, item 6, server side): names that are invisible, blank,
 * padded with fillers or variation selectors, made only of marks, or stacked into
 * "Zalgo" text are refused at the handshake with `invalid_identity` and a message
 * that says why; ordinary names in any script pass.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { displayNameSchema } from '../../signaling-server/protocol';
import { cleanup, connectClient, connectRefused, startServer } from './harness';

afterEach(cleanup);

const REFUSED: [string, string, RegExp][] = [
  ['a Hangul filler alone (U+3164)', '\u3164', /invisible characters/],
  ['a name padded with a Hangul filler', 'Alice\u3164', /invisible characters/],
  ['the halfwidth Hangul filler (U+FFA0)', '\uFFA0\uFFA0', /invisible characters/],
  ['the Hangul choseong filler (U+115F)', 'Bob\u115F', /invisible characters/],
  ['a variation selector', 'Alice\uFE0F', /invisible characters/],
  ['a supplementary variation selector', 'Alice\u{E0100}', /invisible characters/],
  ['the combining grapheme joiner', 'Al\u034Fice', /invisible characters/],
  ['combining marks only', '\u0301\u0302\u0303', /visible letter or digit/],
  ['Zalgo text', 'Z\u0301\u0302\u0303\u0304a\u0305\u0306\u0307\u0308lgo', /stacks more than 3 accents/],
  ['a zero-width space', 'Ali\u200Bce', /letters, digits, spaces/],
  ['a right-to-left override', '\u202Eecila', /letters, digits, spaces/],
  ['spaces only', '    ', /./],
];

const ORDINARY = [
  'Алиса Петрова',
  'أحمد الخطيب',
  'अनुष्का शर्मा',
  '张伟',
  '佐藤 さくら',
  '김민준',
  'Nguyễn Thị Minh Khai',
  'Zoë O\'Brien-Smith',
  'José (work)',
  'Ἀθηνᾶ',
  'שרה לוי',
  'ธนพล',
  'Đặng Hữu Phúc',
  'R2-D2',
];

describe('display names at the handshake', () => {
  it.each(REFUSED)('refuses %s with invalid_identity and a reason', async (_label, displayName, reason) => {
    const server = await startServer();
    const refusal = await connectRefused(server, { name: 'someone', displayName });
    expect(refusal.code).toBe('invalid_identity');
    expect(refusal.message).toMatch(/^The displayName is not valid: /);
    expect(refusal.message).toMatch(reason);
  });

  it('admits ordinary names in many scripts, with their accents and marks, as written', async () => {
    const server = await startServer();
    for (const displayName of ORDINARY) {
      const client = await connectClient(server, { name: 'person', displayName });
      expect(client.welcome?.self.displayName).toBe(displayName.normalize('NFC'));
      client.close();
    }
  });
});

describe('displayNameSchema', () => {
  /** Letters of several scripts, each with up to two marks of its own kind: what real names are made of. */
  const syllable = fc.oneof(
    fc.tuple(fc.constantFrom(...'abcdeghiklmnoprstuvy'), fc.constantFrom('', '\u0301', '\u0302\u0301', '\u0303', '\u0323\u0302')),
    fc.tuple(fc.constantFrom(...'абвгдежзиклмнопрстуя'), fc.constant('')),
    fc.tuple(fc.constantFrom(...'कखगचजतदनपमरलवस'), fc.constantFrom('', '\u093E', '\u093F\u0902', '\u094D', '\u0947')),
    fc.tuple(fc.constantFrom(...'بتثجحخدذرزسشصضطظعغفقكلمنهوي'), fc.constantFrom('', '\u064E', '\u0651\u064E')),
    fc.tuple(fc.constantFrom(...'王李张刘陈杨黄赵吴周'), fc.constant('')),
  ).map(([base, marks]) => base + marks);
  const word = fc.array(syllable, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));
  const name = fc.array(word, { minLength: 1, maxLength: 3 }).map((words) => words.join(' ')).filter((n) => n.normalize('NFC').length <= 40);

  it('accepts generated names of several scripts with up to two marks per letter', () => {
    fc.assert(fc.property(name, (n) => displayNameSchema.safeParse(n).success), { numRuns: 500 });
  });

  it('refuses any such name with an invisible filler or variation selector put anywhere in it', () => {
    const hidden = fc.constantFrom('\u3164', '\u115F', '\u1160', '\uFFA0', '\uFE0F', '\uFE00', '\u{E01EF}', '\u034F', '\u180B');
    fc.assert(
      fc.property(name, hidden, fc.nat(), (n, h, at) => {
        const i = at % (n.length + 1);
        return !displayNameSchema.safeParse(n.slice(0, i) + h + n.slice(i)).success;
      }),
      { numRuns: 500 },
    );
  });
});
