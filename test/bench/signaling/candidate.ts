/**
 * The relay benchmark's payload: a real-looking trickle-ICE candidate (the size a
 * browser sends) whose last field carries the send time, so the receiver can take
 * the one-way latency without any field the protocol does not have.
 */

const PREFIX = 'candidate:842163049 1 udp 1677729535 192.0.2.10 54321 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag EsAw network-cost 999 sent ';

/** `sentNs`: process.hrtime.bigint() at sending. */
export function candidateText(sentNs: bigint): string {
  return PREFIX + sentNs.toString();
}

/** The send time a candidateText() carries, or null for any other text. */
export function sentAtNs(candidate: string): bigint | null {
  if (!candidate.startsWith(PREFIX)) return null;
  const digits = candidate.slice(PREFIX.length);
  return /^\d{1,20}$/.test(digits) ? BigInt(digits) : null;
}
