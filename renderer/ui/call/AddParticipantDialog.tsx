/** Pick someone available to add to the running call, while there is room. */
import { useState } from 'react';
import UserPlus from 'lucide-react/icons/user-plus';
import type { PersonRef } from '../../call/types';
import type { Contact } from '../../state/contacts';
import { useT } from '../../i18n';
import { Avatar } from '../Avatar';
import { Dialog } from '../Dialog';
import { PersonName, useDistinctName } from '../PersonName';

interface AddParticipantDialogProps {
  candidates: readonly Contact[];
  /** How many more people fit (maxParticipants minus members and invitees). */
  room: number;
  maxParticipants: number;
  /** The call is still peer to peer and the server has a media server: offer "As a meeting". */
  canMeet?: boolean;
  /** `meeting`: the invite moves the call onto the server's media server. */
  onInvite(person: PersonRef, options: { meeting: boolean }): void;
  onClose(): void;
}

export function AddParticipantDialog({ candidates, room, maxParticipants, canMeet = false, onInvite, onClose }: AddParticipantDialogProps) {
  const { t } = useT();
  const [asMeeting, setAsMeeting] = useState(false);
  const full = room <= 0;
  return (
    <Dialog
      title={t('call.add')}
      description={
        full ? t('addParticipant.full', { count: maxParticipants }) : t('addParticipant.room', { count: room, max: maxParticipants })
      }
      onClose={onClose}
    >
      {canMeet && candidates.length > 0 && (
        <label className="settings-toggle">
          <input type="checkbox" checked={asMeeting} onChange={(e) => setAsMeeting(e.target.checked)} />
          <span>{t('addParticipant.asMeeting')}</span>
        </label>
      )}
      {candidates.length === 0 ? (
        <p className="dialog__empty">{t('addParticipant.nobody')}</p>
      ) : (
        <ul className="picker-list">
          {candidates.map((c) => (
            <Candidate
              key={c.userId}
              contact={c}
              disabled={full}
              onInvite={() => {
                onInvite({ userId: c.userId, displayName: c.displayName }, { meeting: canMeet && asMeeting });
                onClose();
              }}
            />
          ))}
        </ul>
      )}
    </Dialog>
  );
}

/** One person to invite; the button's name carries the id suffix when two names read the same. */
function Candidate({ contact, disabled, onInvite }: { contact: Contact; disabled: boolean; onInvite(): void }) {
  const { t } = useT();
  const name = useDistinctName(contact.userId, contact.displayName);
  return (
    <li className="picker-list__item">
      <Avatar userId={contact.userId} name={contact.displayName} status={contact.status} size="sm" />
      <span className="picker-list__name">
        <PersonName userId={contact.userId} name={contact.displayName} />
      </span>
      <button type="button" className="button button--primary button--small" disabled={disabled} aria-label={t('addParticipant.invite', { name })} onClick={onInvite}>
        <UserPlus size={16} aria-hidden="true" />
        {t('addParticipant.inviteButton')}
      </button>
    </li>
  );
}
