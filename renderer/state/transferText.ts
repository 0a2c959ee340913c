/** What a file transfer's row says, from its state. Pure: the words are tested on their own. */
import type { TransferView } from '../call/featureTypes';
import { formatBytes } from '../call/fileTransferProtocol';

export function transferPercent(t: Pick<TransferView, 'bytes' | 'size'>): number {
  if (t.size === 0) return 100;
  return Math.min(100, Math.floor((t.bytes / t.size) * 100));
}

/** "To Bob" / "From Alice". */
export function transferPeerText(t: TransferView): string {
  return t.direction === 'out' ? `To ${t.peer.displayName}` : `From ${t.peer.displayName}`;
}

export function transferStatusText(t: TransferView): string {
  const peer = t.peer.displayName;
  const problem = t.problem;
  switch (t.status) {
    case 'waiting':
      return `Waiting for ${peer}…`;
    case 'sending':
      return `Sending… ${transferPercent(t)} %`;
    case 'receiving':
      return `Receiving… ${transferPercent(t)} %`;
    case 'verifying':
      return t.direction === 'out' ? `Sent — waiting for ${peer} to check it` : 'Checking the file…';
    case 'done':
      return t.direction === 'out' ? `Delivered to ${peer}, checksum verified` : 'Received, checksum verified';
    case 'cancelled':
      return problem?.kind === 'cancelled' && problem.by === 'peer' ? `${peer} cancelled it` : 'You cancelled it';
  }
  if (problem?.kind === 'too_large') {
    return t.direction === 'out'
      ? `${peer} accepts files up to ${formatBytes(problem.limit)}; this one is ${formatBytes(t.size)}. It was not sent.`
      : `${peer} tried to send this file (${formatBytes(t.size)}), but your limit is ${formatBytes(problem.limit)}. Raise it in Settings → Files to receive it.`;
  }
  if (problem?.kind === 'busy') return `${peer} was still receiving another file. Send it again.`;
  if (problem?.kind === 'checksum') {
    return t.direction === 'out'
      ? `${peer}’s copy did not match the original (checksum) and was discarded. Send it again.`
      : `The file arrived damaged (its SHA-256 checksum does not match) and was discarded. Ask ${peer} to send it again.`;
  }
  if (problem?.kind === 'connection') return `The connection to ${peer} was lost before the file was through.`;
  if (problem?.kind === 'protocol') return `${peer}’s app sent something other than it announced; the file was discarded.`;
  return t.status === 'rejected' ? `${peer} did not take the file.` : 'The transfer failed.';
}

/** The transfer can still be stopped. */
export function transferActive(t: Pick<TransferView, 'status'>): boolean {
  return t.status === 'waiting' || t.status === 'sending' || t.status === 'receiving';
}
