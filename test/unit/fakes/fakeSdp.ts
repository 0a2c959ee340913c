/**
 * The fake peer connection's SDP: a few lines that carry what negotiation needs
 * (the ICE username fragment, the DTLS certificate's fingerprint as a real
 * `a=fingerprint:` line, and per m-line its kind, mid and direction), plus the
 * offer/answer direction rules of RFC 3264 §6.1.
 */
import type { MediaKind } from '../../../renderer/call/peerConnection';

export interface MLine {
  kind: MediaKind;
  mid: string;
  direction: RTCRtpTransceiverDirection;
}
export interface FakeSdp {
  ufrag: string;
  /** `sha-256 AB:CD:…`, the value of the `a=fingerprint:` line (identity.ts signs it). */
  fingerprint: string;
  mlines: MLine[];
}

/** A fingerprint of a fake DTLS certificate: 32 random bytes, written as a browser writes SHA-256 ones. */
export function fakeFingerprint(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `sha-256 ${[...bytes].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':')}`;
}
export type Description = { type: RTCSdpType; sdp: string };

export function writeSdp(sdp: FakeSdp): string {
  return [
    'fake-sdp',
    `ufrag:${sdp.ufrag}`,
    `a=fingerprint:${sdp.fingerprint}`,
    ...sdp.mlines.map((m) => `m=${m.kind} ${m.mid} ${m.direction}`),
  ].join('\n');
}

export function parseSdp(text: string): FakeSdp {
  const [magic, ufragLine, fingerprintLine, ...rest] = text.split('\n');
  if (magic !== 'fake-sdp' || !ufragLine?.startsWith('ufrag:') || !fingerprintLine?.startsWith('a=fingerprint:')) {
    throw new DOMException(`not a fake SDP: ${text.slice(0, 40)}`, 'OperationError');
  }
  const mlines = rest.map((line) => {
    const match = /^m=(audio|video) (\S+) (sendrecv|sendonly|recvonly|inactive)$/.exec(line);
    if (!match) throw new DOMException(`bad m-line: ${line}`, 'OperationError');
    return { kind: match[1] as MediaKind, mid: match[2] as string, direction: match[3] as RTCRtpTransceiverDirection };
  });
  return { ufrag: ufragLine.slice('ufrag:'.length), fingerprint: fingerprintLine.slice('a=fingerprint:'.length), mlines };
}

export const sends = (d: RTCRtpTransceiverDirection | null): boolean => d === 'sendrecv' || d === 'sendonly';
export const receives = (d: RTCRtpTransceiverDirection | null): boolean => d === 'sendrecv' || d === 'recvonly';
export function direction(send: boolean, recv: boolean): RTCRtpTransceiverDirection {
  if (send && recv) return 'sendrecv';
  if (send) return 'sendonly';
  if (recv) return 'recvonly';
  return 'inactive';
}
/** The answer's direction for an m-line: what I want, limited by what they offered. */
export const answerDirection = (mine: RTCRtpTransceiverDirection, offered: RTCRtpTransceiverDirection) =>
  direction(sends(mine) && receives(offered), receives(mine) && sends(offered));

