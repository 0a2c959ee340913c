import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PeerConnectionLike } from '../../../renderer/call/peerConnection';
import { pollAudioLevels } from '../../../renderer/call/speakerPoller';
import { FakePeerConnection } from '../fakes/fakePeerConnection';

/** A connection whose getStats answers only when the test says so. */
function slowStats() {
  const pc = new FakePeerConnection({}, { autoIce: false });
  const pending: (() => void)[] = [];
  let calls = 0;
  pc.getStats = () => {
    calls += 1;
    return new Promise((resolve) => {
      pending.push(() => resolve(new Map([['A', { type: 'inbound-rtp', kind: 'audio', audioLevel: 0.5 }]])));
    });
  };
  return { pc: pc as PeerConnectionLike, answer: () => pending.splice(0).forEach((f) => f()), calls: () => calls };
}

describe('speaker poller', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('polls every interval, one poll at a time, and reports levels by device', async () => {
    vi.useFakeTimers();
    const remote = slowStats();
    const seen: Record<string, number>[] = [];
    const stop = pollAudioLevels(() => [['device-remote-1', remote.pc]], (levels) => seen.push(levels), 500);

    await vi.advanceTimersByTimeAsync(500);
    expect(remote.calls()).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000); // the first poll has not answered: no second one
    expect(remote.calls()).toBe(1);
    remote.answer();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([{ 'device-remote-1': 0.5 }]);
    await vi.advanceTimersByTimeAsync(500);
    expect(remote.calls()).toBe(2);
    stop();
  });

  it('after stop, no more polls and no late report', async () => {
    vi.useFakeTimers();
    const remote = slowStats();
    const seen: Record<string, number>[] = [];
    const stop = pollAudioLevels(() => [['device-remote-1', remote.pc]], (levels) => seen.push(levels), 500);
    await vi.advanceTimersByTimeAsync(500);

    stop();
    remote.answer();
    await vi.advanceTimersByTimeAsync(10_000);

    expect(seen).toEqual([]);
    expect(remote.calls()).toBe(1);
  });
});
