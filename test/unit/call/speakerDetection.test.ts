import { describe, expect, it } from 'vitest';
import { SILENT, inboundAudioLevel, nextSpeech, pickActiveSpeaker, type SpeechState } from '../../../renderer/call/speakerDetection';

const run = (levels: number[]): SpeechState => levels.reduce(nextSpeech, SILENT);

describe('speaker detection', () => {
  it('speech starts at a clear level, not at a murmur', () => {
    expect(run([0.02]).speaking).toBe(false);
    expect(run([0.1]).speaking).toBe(true);
  });

  it('short pauses keep the mark; three quiet polls in a row drop it', () => {
    expect(run([0.1, 0.001, 0.001]).speaking).toBe(true);
    expect(run([0.1, 0.001, 0.02, 0.001, 0.001]).speaking).toBe(true);
    expect(run([0.1, 0.001, 0.001, 0.001]).speaking).toBe(false);
  });

  it('the active speaker holds until someone is clearly louder', () => {
    const s = (speaking: boolean, level: number): SpeechState => ({ speaking, quietPolls: 0, level });
    expect(pickActiveSpeaker(null, { a: s(true, 0.1), b: s(true, 0.2) })).toBe('b');
    expect(pickActiveSpeaker('a', { a: s(true, 0.1), b: s(true, 0.15) })).toBe('a');
    expect(pickActiveSpeaker('a', { a: s(true, 0.1), b: s(true, 0.25) })).toBe('b');
    expect(pickActiveSpeaker('a', { a: s(false, 0), b: s(true, 0.05) })).toBe('b');
    expect(pickActiveSpeaker('a', { a: s(false, 0), b: s(false, 0) })).toBeNull();
  });

  it('reads the loudest inbound audio level from a stats report, ignoring everything else', () => {
    const report = new Map<string, unknown>([
      ['T', { type: 'transport' }],
      ['V', { type: 'inbound-rtp', kind: 'video' }],
      ['O', { type: 'outbound-rtp', kind: 'audio', audioLevel: 0.9 }],
      ['A1', { type: 'inbound-rtp', kind: 'audio', audioLevel: 0.1 }],
      ['A2', { type: 'inbound-rtp', kind: 'audio', audioLevel: 0.3 }],
      ['junk', null],
    ]);
    expect(inboundAudioLevel(report)).toBe(0.3);
    expect(inboundAudioLevel(new Map([['A', { type: 'inbound-rtp', kind: 'audio' }]]))).toBeNull();
  });
});
