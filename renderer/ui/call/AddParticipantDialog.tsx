/** Pick someone available to add to the running call, while there is room. */
import UserPlus from 'lucide-react/icons/user-plus';
import type { PersonRef } from '../../call/types';
import type { Contact } from '../../state/contacts';
import { Avatar } from '../Avatar';
import { Dialog } from '../Dialog';
import { PersonName } from '../PersonName';

interface AddParticipantDialogProps {
  candidates: readonly Contact[];
  /** How many more people fit (maxParticipants minus members and invitees). */
  room: number;
  maxParticipants: number;
  onInvite(person: PersonRef): void;
  onClose(): void;
}

export function AddParticipantDialog({ candidates, room, maxParticipants, onInvite, onClose }: AddParticipantDialogProps) {
  const full = room <= 0;
  return (
    <Dialog
      title="Add participant"
      description={
        full
          ? `The call is full: at most ${maxParticipants} people can take part.`
          : `Room for ${room} more · up to ${maxParticipants} people in a call.`
      }
      onClose={onClose}
    >
      {candidates.length === 0 ? (
        <p className="dialog__empty">Nobody else is available right now.</p>
      ) : (
        <ul className="picker-list">
          {candidates.map((c) => (
            <li key={c.userId} className="picker-list__item">
              <Avatar userId={c.userId} name={c.displayName} status={c.status} size="sm" />
              <span className="picker-list__name">
                <PersonName userId={c.userId} name={c.displayName} />
              </span>
              <button
                type="button"
                className="button button--primary button--small"
                disabled={full}
                aria-label={`Invite ${c.displayName}`}
                onClick={() => {
                  onInvite({ userId: c.userId, displayName: c.displayName });
                  onClose();
                }}
              >
                <UserPlus size={16} aria-hidden="true" />
                Invite
              </button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
