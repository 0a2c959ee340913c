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
    case 'offered':
      return `${peer} wants to send you this file (${formatBytes(t.size)}). Nothing is downloaded unless you accept.`;
    case 'waiting':
      return `Waiting for ${peer}…`;
    case 'sending':
      return `Sending… ${transferPercent(t)} %`;
    case 'receiving':
      return `Receiving… ${transferPercent(t)} %`;
    case 'verifying':
      return t.direction === 'out' ? `Sent — waiting for ${peer} to check it` : 'Checking the file…';
    case 'done':
      if (t.direction === 'out') return `Delivered to ${peer}, checksum verified`;
      return t.savedPath !== null ? `Saved to ${t.savedPath}, checksum verified` : 'Received, checksum verified';
    case 'cancelled':
      return problem?.kind === 'cancelled' && problem.by === 'peer' ? `${peer} cancelled it` : 'You cancelled it';
  }
  switch (problem?.kind) {
    case 'declined':
      return t.direction === 'out' ? `${peer} declined` : 'You declined it';
    case 'expired':
      return t.direction === 'out'
        ? `${peer} did not answer within 2 minutes; the offer expired. Send it again when they are there.`
        : `You did not answer within 2 minutes, so the offer expired. Ask ${peer} to send it again.`;
    case 'too_large':
      return t.direction === 'out'
        ? `${peer} accepts files up to ${formatBytes(problem.limit)}; this one is ${formatBytes(t.size)}. It was not sent.`
        : `${peer} tried to send this file (${formatBytes(t.size)}), but your limit is ${formatBytes(problem.limit)}. Raise it in Settings → Files to receive it.`;
    case 'no_room':
      return t.direction === 'out'
        ? `${peer} has no room for more files in this call (at most ${formatBytes(problem.limit)} held at once). It was not sent; try again after they save and remove some.`
        : `${peer} tried to send this file (${formatBytes(t.size)}), but this call already holds close to ${formatBytes(problem.limit)} of received files. Save and remove some from the list, then ask ${peer} to send it again.`;
    case 'busy':
      return `${peer} was still receiving another file. Send it again.`;
    case 'checksum':
      return t.direction === 'out'
        ? `${peer}’s copy did not match the original (checksum) and was discarded. Send it again.`
        : `The file arrived damaged (its SHA-256 checksum does not match) and was discarded. Ask ${peer} to send it again.`;
    case 'storage':
      if (t.direction === 'out') return `${peer}’s Parley could not save the file. Send it again later.`;
      return `The file could not be saved${problem.message ? `: ${problem.message}` : ''}. Check the folder in Settings → Files.`;
    case 'connection':
      return `The connection to ${peer} was lost before the file was through.`;
    case 'protocol':
      return `${peer}’s app sent something other than it announced; the file was discarded.`;
    case 'cancelled':
    case undefined:
      return t.status === 'rejected' ? `${peer} did not take the file.` : 'The transfer failed.';
  }
}

/** The transfer can still be stopped. */
export function transferActive(t: Pick<TransferView, 'status'>): boolean {
  return t.status === 'waiting' || t.status === 'sending' || t.status === 'receiving';
}
