import { describe, expect, it } from 'vitest';
import { MAX_HISTORY, type HistoryEntry } from '../../../preload/contract';
import {
  addToHistory,
  describeHistoryEntry,
  formatDuration,
  formatTimer,
  formatWhen,
} from '../../../renderer/state/history';

const zone = { locale: 'en-GB', timeZone: 'Europe/London' };
// Wednesday 5 June 2024, 15:00 in London (BST, UTC+1).
const now = Date.UTC(2024, 5, 5, 14, 0, 0);

function entry(patch: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id: 'entry-0000001',
    callId: 'call-00000001',
    direction: 'outgoing',
    outcome: 'answered',
    media: 'audio',
    peers: [{ userId: 'bob-00000001', displayName: 'Bob' }],
    startedAt: now - 60_000,
    durationMs: 192_000,
    ...patch,
  };
}

describe('durations', () => {
  it('formats call lengths as m:ss and h:mm:ss', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(7_400)).toBe('0:07');
    expect(formatDuration(192_000)).toBe('3:12');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
  });

  it('pads the in-call timer to mm:ss', () => {
    expect(formatTimer(5_000)).toBe('00:05');
    expect(formatTimer(192_000)).toBe('03:12');
    expect(formatTimer(754_000)).toBe('12:34');
    expect(formatTimer(3_723_000)).toBe('1:02:03');
  });
});

describe('when a call happened', () => {
  it('shows the time alone for today, "Yesterday" for yesterday, and a date before that', () => {
    expect(formatWhen(Date.UTC(2024, 5, 5, 8, 5), { now, ...zone })).toBe('09:05');
    expect(formatWhen(Date.UTC(2024, 5, 4, 20, 30), { now, ...zone })).toBe('Yesterday 21:30');
    expect(formatWhen(Date.UTC(2024, 5, 1, 17, 40), { now, ...zone })).toBe('Sat 1 Jun 18:40');
  });

  it('adds the year for calls from another year', () => {
    expect(formatWhen(Date.UTC(2023, 11, 24, 12, 0), { now, ...zone })).toBe('24 Dec 2023 12:00');
  });

  it('uses the calendar day of the time zone, not of UTC', () => {
    // 23:30 UTC on 4 June is 00:30 on 5 June in London: today.
    expect(formatWhen(Date.UTC(2024, 5, 4, 23, 30), { now, ...zone })).toBe('00:30');
  });
});

describe('history rows', () => {
  it('describes an answered outgoing video call with its duration', () => {
    expect(describeHistoryEntry(entry({ media: 'video' }), { now, ...zone })).toEqual({
      kind: 'outgoing',
      title: 'Bob',
      label: 'Outgoing video call',
      time: '14:59',
      duration: '3:12',
    });
  });

  it('marks unanswered incoming calls as missed, without a duration', () => {
    for (const outcome of ['missed', 'cancelled', 'no_answer'] as const) {
      const row = describeHistoryEntry(entry({ direction: 'incoming', outcome, durationMs: 0 }), { now, ...zone });
      expect(row.kind).toBe('missed');
      expect(row.label).toBe('Missed call');
      expect(row.duration).toBeNull();
    }
  });

  it('says what happened to outgoing calls that did not connect', () => {
    const label = (outcome: HistoryEntry['outcome']) =>
      describeHistoryEntry(entry({ outcome, durationMs: 0 }), { now, ...zone }).label;
    expect(label('no_answer')).toBe('No answer');
    expect(label('busy')).toBe('Busy');
    expect(label('declined')).toBe('Declined by them');
    expect(label('failed')).toBe('Failed');
    expect(label('cancelled')).toBe('Cancelled');
  });

  it('names group calls briefly', () => {
    const peers = ['Bob', 'Carol', 'Dan', 'Eve'].map((displayName, i) => ({ userId: `peer-0000000${i}`, displayName }));
    expect(describeHistoryEntry(entry({ peers: peers.slice(0, 2) }), { now, ...zone }).title).toBe('Bob and Carol');
    expect(describeHistoryEntry(entry({ peers: peers.slice(0, 3) }), { now, ...zone }).title).toBe('Bob, Carol and Dan');
    expect(describeHistoryEntry(entry({ peers }), { now, ...zone }).title).toBe('Bob, Carol and 2 others');
  });
});

describe('adding to the history', () => {
  it('keeps the newest first, one row per entry id, and at most MAX_HISTORY rows', () => {
    const older = entry({ id: 'entry-older01', startedAt: now - 10_000 });
    const newer = entry({ id: 'entry-newer01', startedAt: now });
    let list = addToHistory(addToHistory([], older), newer);
    expect(list.map((e) => e.id)).toEqual(['entry-newer01', 'entry-older01']);
    list = addToHistory(list, { ...older, durationMs: 1 });
    expect(list).toHaveLength(2);
    expect(list[1]?.durationMs).toBe(1);

    const full = Array.from({ length: MAX_HISTORY }, (_, i) => entry({ id: `entry-${String(i).padStart(6, '0')}`, startedAt: i }));
    const capped = addToHistory(full, entry({ id: 'entry-latest1', startedAt: now }));
    expect(capped).toHaveLength(MAX_HISTORY);
    expect(capped[0]?.id).toBe('entry-latest1');
  });
});
