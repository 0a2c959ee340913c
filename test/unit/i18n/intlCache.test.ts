import { describe, expect, it } from 'vitest';
import { dateTimeFormat, displayNames, listFormat, numberFormat, relativeTimeFormat } from '../../../renderer/i18n/intlCache';

describe('intlCache', () => {
  it('gives the same formatter for the same language and options, and formats as a new one would', () => {
    const a = listFormat('en-GB', { type: 'conjunction' });
    expect(listFormat('en-GB', { type: 'conjunction' })).toBe(a);
    expect(a.format(['Bob', 'Carol', 'Dan'])).toBe(new Intl.ListFormat('en-GB', { type: 'conjunction' }).format(['Bob', 'Carol', 'Dan']));
    expect(listFormat('ru', { type: 'conjunction' }).format(['Боб', 'Кэрол'])).toBe('Боб и Кэрол');
  });

  it('keeps languages, kinds and options apart', () => {
    expect(listFormat('en-GB', { type: 'conjunction' })).not.toBe(listFormat('en-GB', { type: 'disjunction' }));
    expect(listFormat('en-GB', { type: 'conjunction' })).not.toBe(listFormat('ru', { type: 'conjunction' }));
    const utc = dateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric' });
    const tokyo = dateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric' });
    expect(utc).not.toBe(tokyo);
    // 2026-12-31T20:00Z is already 2027 in Tokyo.
    const at = Date.UTC(2026, 11, 31, 20);
    expect([utc.format(at), tokyo.format(at)]).toEqual(['2026', '2027']);
    expect(numberFormat('ru', {}).format(1234.5)).toBe(new Intl.NumberFormat('ru').format(1234.5));
    expect(relativeTimeFormat('en', { numeric: 'auto' }).format(-1, 'day')).toBe('yesterday');
    expect(displayNames('en', { type: 'script' }).of('Cyrl')).toBe('Cyrillic');
  });

  it('stays bounded: after hundreds of option sets it still answers, and the first ones are made again', () => {
    const first = numberFormat('en', { minimumFractionDigits: 0 });
    for (let i = 1; i <= 300; i++) numberFormat('en', { minimumIntegerDigits: (i % 21) + 1, maximumFractionDigits: i % 20 });
    expect(numberFormat('en', { minimumFractionDigits: 0 }).format(2)).toBe('2');
    expect(numberFormat('en', { minimumFractionDigits: 0 })).not.toBe(first);
  });
});
