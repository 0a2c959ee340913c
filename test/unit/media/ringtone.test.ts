/**
 * The ringtone (issue 16.5/16.6): it rings on the chosen speaker (AudioContext.setSinkId
 * with that device's id; '' is the default), starts once, and stops.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRingtone } from '../../../renderer/media/ringtone';

class FakeParam {
  value = 0;
  setValueAtTime(): void {}
  exponentialRampToValueAtTime(): void {}
  setTargetAtTime(value: number): void {
    this.value = value;
  }
}
class FakeNode {
  readonly gain = new FakeParam();
  readonly frequency = new FakeParam();
  type = '';
  connected = 0;
  connect<T>(node: T): T {
    this.connected += 1;
    return node;
  }
  disconnect(): void {
    this.connected = 0;
  }
  start(): void {}
  stop(): void {}
}
class FakeAudioContext {
  state: 'running' | 'suspended' | 'closed' = 'running';
  currentTime = 0;
  readonly destination = new FakeNode();
  readonly sinks: string[] = [];
  oscillators = 0;
  masters: FakeNode[] = [];
  failSink = false;
  async setSinkId(id: string): Promise<void> {
    this.sinks.push(id);
    if (this.failSink) throw new DOMException('no such device', 'NotFoundError');
  }
  createGain(): FakeNode {
    const node = new FakeNode();
    this.masters.push(node);
    return node;
  }
  createOscillator(): FakeNode {
    this.oscillators += 1;
    return new FakeNode();
  }
  async resume(): Promise<void> {}
  async close(): Promise<void> {
    this.state = 'closed';
  }
}

afterEach(() => vi.useRealTimers());

describe('ringtone', () => {
  it('rings on the chosen speaker, and on the default when there is none', () => {
    const audio = new FakeAudioContext();
    const ringtone = createRingtone(() => audio as unknown as AudioContext);
    ringtone.setSpeaker('speaker-headset');
    ringtone.start();
    expect(audio.sinks).toEqual(['speaker-headset']);
    ringtone.setSpeaker(null); // the headset was unplugged
    expect(audio.sinks).toEqual(['speaker-headset', '']);
    ringtone.setSpeaker(null);
    expect(audio.sinks).toHaveLength(2); // no repeat for the same choice
    ringtone.dispose();
  });

  it('a chosen speaker before any audio is applied when the context is made', () => {
    const audio = new FakeAudioContext();
    const ringtone = createRingtone(() => audio as unknown as AudioContext);
    ringtone.setSpeaker('speaker-2');
    expect(audio.sinks).toEqual([]);
    ringtone.start();
    expect(audio.sinks).toEqual(['speaker-2']);
    ringtone.dispose();
  });

  it('a speaker the browser refuses is logged and tried again next time, and the ring still plays', async () => {
    const audio = new FakeAudioContext();
    audio.failSink = true;
    const ringtone = createRingtone(() => audio as unknown as AudioContext);
    ringtone.setSpeaker('speaker-gone');
    ringtone.start();
    expect(audio.oscillators).toBeGreaterThan(0);
    await new Promise((done) => setTimeout(done, 0));
    audio.failSink = false;
    ringtone.setSpeaker('speaker-gone');
    expect(audio.sinks).toEqual(['speaker-gone', 'speaker-gone']);
    ringtone.dispose();
  });

  it('starts once while ringing, and stop fades the ring out', () => {
    vi.useFakeTimers();
    const audio = new FakeAudioContext();
    const ringtone = createRingtone(() => audio as unknown as AudioContext);
    ringtone.start();
    const notes = audio.oscillators;
    ringtone.start(); // a second start while ringing adds nothing
    expect(audio.oscillators).toBe(notes);
    const master = audio.masters[0];
    ringtone.stop();
    expect(master?.gain.value).toBe(0);
    vi.advanceTimersByTime(300);
    expect(master?.connected).toBe(0);
    audio.currentTime = 10;
    vi.advanceTimersByTime(1000);
    expect(audio.oscillators).toBe(notes); // nothing scheduled after stop
    ringtone.dispose();
  });
});
