/**
 * What a file transfer's row says, from its state, in the language now in force
 * (issue 16.1: call these at render time). Pure otherwise: the words are tested on their own.
 */
import type { TransferView } from '../call/featureTypes';
import { formatBytes } from '../call/fileTransferProtocol';
import { t as translate } from '../i18n';

export function transferPercent(t: Pick<TransferView, 'bytes' | 'size'>): number {
  if (t.size === 0) return 100;
  return Math.min(100, Math.floor((t.bytes / t.size) * 100));
}

/** "To Bob" / "From Alice". */
export function transferPeerText(t: TransferView): string {
  return translate(t.direction === 'out' ? 'transferText.to' : 'transferText.from', { peer: t.peer.displayName });
}

export function transferStatusText(t: TransferView): string {
  const peer = t.peer.displayName;
  const problem = t.problem;
  const out = t.direction === 'out';
  switch (t.status) {
    case 'offered':
      return translate('transferText.offered', { peer, size: formatBytes(t.size) });
    case 'waiting':
      return translate('transferText.waiting', { peer });
    case 'sending':
      return translate('transferText.sending', { percent: transferPercent(t) });
    case 'receiving':
      return translate('transferText.receiving', { percent: transferPercent(t) });
    case 'verifying':
      return out ? translate('transferText.verifyingOut', { peer }) : translate('transferText.verifyingIn');
    case 'done':
      if (out) return translate('transferText.doneOut', { peer });
      return t.savedPath !== null ? translate('transferText.doneSaved', { path: t.savedPath }) : translate('transferText.doneIn');
    case 'cancelled':
      return problem?.kind === 'cancelled' && problem.by === 'peer'
        ? translate('transferText.cancelledByPeer', { peer })
        : translate('transferText.cancelledByMe');
  }
  switch (problem?.kind) {
    case 'declined':
      return out ? translate('transferText.declinedOut', { peer }) : translate('transferText.declinedIn');
    case 'expired':
      return translate(out ? 'transferText.expiredOut' : 'transferText.expiredIn', { peer });
    case 'too_large':
      return translate(out ? 'transferText.tooLargeOut' : 'transferText.tooLargeIn', {
        peer,
        size: formatBytes(t.size),
        limit: formatBytes(problem.limit),
      });
    case 'no_room':
      return translate(out ? 'transferText.noRoomOut' : 'transferText.noRoomIn', {
        peer,
        size: formatBytes(t.size),
        limit: formatBytes(problem.limit),
      });
    case 'busy':
      return translate('transferText.busy', { peer });
    case 'checksum':
      return translate(out ? 'transferText.checksumOut' : 'transferText.checksumIn', { peer });
    case 'storage':
      if (out) return translate('transferText.storageOut', { peer });
      // The reason is the system's own words about the folder (a path, an OS error): shown as it came.
      return problem.message ? translate('transferText.storageInWhy', { reason: problem.message }) : translate('transferText.storageIn');
    case 'connection':
      return translate('transferText.connection', { peer });
    case 'protocol':
      return translate('transferText.protocol', { peer });
    case 'cancelled':
    case undefined:
      return t.status === 'rejected' ? translate('transferText.rejected', { peer }) : translate('transferText.failed');
  }
}

/** The transfer can still be stopped. */
export function transferActive(t: Pick<TransferView, 'status'>): boolean {
  return t.status === 'waiting' || t.status === 'sending' || t.status === 'receiving';
}
