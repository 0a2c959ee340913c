/**
 * Whether the running call is end-to-end encrypted (issue 17.4), as a lock in the
 * call's header with the reason in its tooltip.
 *
 * - Mesh calls: DTLS-SRTP between the devices, each device's fingerprints signed by
 *   its owner's key and checked before media flows (sessionPool); a link whose check
 *   failed carries no media, and the tooltip says so.
 * - SFU calls: encrypted only when the call's E2EE (renderer/call/e2ee/) has every
 *   member's key and protects every sender; otherwise it says plainly that the call is
 *   not (yet) end-to-end encrypted and why — never a silent downgrade. When video from
 *   the media server reaches this device's decoder still sealed (the engine did not
 *   apply a receiver's transform), it says that video cannot be decrypted here — in
 *   amber, with the lock closed: the media is still sealed, nothing went out in the clear.
 */
import Lock from 'lucide-react/icons/lock';
import LockOpen from 'lucide-react/icons/lock-open';
import type { CallView } from '../../call/types';
import { useCallE2eeStatus } from '../../call/e2ee/e2eeStatusStore';
import type { CallE2eeStatus } from '../../call/e2ee/callE2ee';
import { useT } from '../../i18n';
import '../styles/e2ee.css';

type ActiveView = Extract<CallView, { phase: 'active' }>;

export type BadgeLevel = 'encrypted' | 'pending' | 'not_encrypted';

export interface BadgeText {
  level: BadgeLevel;
  label: 'e2ee.encrypted' | 'e2ee.setting' | 'e2ee.notEncrypted' | 'e2ee.cannotDecrypt';
  tip:
    | { key: 'e2ee.meshTip' | 'e2ee.meshUnverifiedTip' | 'e2ee.sfuTip' | 'e2ee.sfuNotStartedTip' | 'e2ee.sfuUnavailableTip' | 'e2ee.sfuRefusedTip' | 'e2ee.sfuUnsealedTip' | 'e2ee.sfuUnopenedTip' }
    | { key: 'e2ee.sfuPendingTip'; count: number };
}

/** What the badge says for this call (pure: tested without React). */
export function badgeText(view: Pick<ActiveView, 'topology' | 'participants'>, status: CallE2eeStatus | null): BadgeText {
  if (view.topology !== 'sfu') {
    const unverified = view.participants.some((p) => p.unverified === true);
    return { level: 'encrypted', label: 'e2ee.encrypted', tip: { key: unverified ? 'e2ee.meshUnverifiedTip' : 'e2ee.meshTip' } };
  }
  if (status === null) return { level: 'not_encrypted', label: 'e2ee.notEncrypted', tip: { key: 'e2ee.sfuNotStartedTip' } };
  // A reason the call is not encrypted says more than video that cannot be opened here.
  if (status.state !== 'not_encrypted' && status.unopenedReceivers > 0) {
    return { level: 'pending', label: 'e2ee.cannotDecrypt', tip: { key: 'e2ee.sfuUnopenedTip' } };
  }
  if (status.state === 'encrypted') return { level: 'encrypted', label: 'e2ee.encrypted', tip: { key: 'e2ee.sfuTip' } };
  if (status.state === 'pending') {
    return { level: 'pending', label: 'e2ee.setting', tip: { key: 'e2ee.sfuPendingTip', count: Math.max(1, status.keys.waitingFor.length) } };
  }
  return {
    level: 'not_encrypted',
    label: 'e2ee.notEncrypted',
    tip: {
      key:
        status.reason === 'unavailable'
          ? 'e2ee.sfuUnavailableTip'
          : status.reason === 'refused_key'
            ? 'e2ee.sfuRefusedTip'
            : status.reason === 'unsealed'
              ? 'e2ee.sfuUnsealedTip'
              : 'e2ee.sfuNotStartedTip',
    },
  };
}

export function E2eeBadge({ view }: { view: ActiveView }) {
  const { t } = useT();
  const status = useCallE2eeStatus(view.topology === 'sfu' ? view.callId : null);
  const text = badgeText(view, status);
  const label = t(text.label);
  const tip = text.tip.key === 'e2ee.sfuPendingTip' ? t('e2ee.sfuPendingTip', { count: text.tip.count }) : t(text.tip.key);
  // Video that cannot be opened here is still sealed: the lock stays closed.
  const Icon = text.level === 'encrypted' || text.label === 'e2ee.cannotDecrypt' ? Lock : LockOpen;
  return (
    <span className={`e2ee-badge e2ee-badge--${text.level}`} title={tip} role="status" aria-label={`${label}. ${tip}`} data-e2ee={text.level}>
      <Icon size={14} aria-hidden="true" />
      <span aria-hidden="true">{label}</span>
    </span>
  );
}
