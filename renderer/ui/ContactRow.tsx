/** One person: presence, favourite star, block toggle, and the ways to call them (a meeting too, when the server has a media server). */
import Phone from 'lucide-react/icons/phone';
import ShieldAlert from 'lucide-react/icons/shield-alert';
import ShieldCheck from 'lucide-react/icons/shield-check';
import Star from 'lucide-react/icons/star';
import Users from 'lucide-react/icons/users';
import Video from 'lucide-react/icons/video';
import type { CallMedia } from '../../signaling-server/protocol';
import { statusLabel, type Contact } from '../state/contacts';
import { useT } from '../i18n';
import { Avatar } from './Avatar';
import { BlockToggle } from './BlockToggle';
import { PersonName, ScriptsBadge, useDistinctName } from './PersonName';

interface ContactRowProps {
  contact: Contact;
  /** Why calling is not possible now (shown as the buttons' tooltip), or null. */
  callBlocked: string | null;
  onCall(contact: Contact, media: CallMedia): void;
  onToggleFavourite(contact: Contact): void;
  /** This person is on my block list: their calls do not ring. */
  isBlocked: boolean;
  onToggleBlock(contact: Contact): void;
  /** Opens the safety number screen (contacts in my book only). */
  onVerify?(contact: Contact): void;
  /** Starts a video meeting with them (through the server's media server); absent when the server has none. */
  onMeeting?(contact: Contact): void;
}

export function ContactRow({ contact, callBlocked, onCall, onToggleFavourite, isBlocked, onToggleBlock, onVerify, onMeeting }: ContactRowProps) {
  const { t } = useT();
  const offline = contact.status === 'offline';
  const blocked = contact.keyChanged
    ? t('contactRow.keyChangedBlocked', { name: contact.displayName })
    : offline
      ? t('contactRow.offline', { name: contact.displayName })
      : callBlocked;
  // With a suffix when another person's name reads the same, so every label tells them apart.
  const name = useDistinctName(contact.userId, contact.displayName);
  return (
    <li className={`contact${offline ? ' contact--offline' : ''}${isBlocked ? ' contact--blocked' : ''}`} data-user-id={contact.userId}>
      <Avatar userId={contact.userId} name={contact.displayName} status={contact.status} />
      <div className="contact__text">
        <span className="contact__name">
          <PersonName userId={contact.userId} name={contact.displayName} badge={false} />
        </span>
        <span className={`contact__status contact__status--${contact.status}`}>
          {statusLabel(contact.status)}
          {isBlocked && ` · ${t('contactRow.blocked')}`}
          {contact.keyChanged ? ` · ${t('contactRow.keyChanged')}` : contact.verified ? ` · ${t('contactRow.verified')}` : ''}{' '}
          <ScriptsBadge userId={contact.userId} name={contact.displayName} />
        </span>
      </div>
      <div className="contact__actions">
        {onVerify && contact.inBook && (
          <button
            type="button"
            className={`icon-button${contact.verified ? ' verify--on' : ''}${contact.keyChanged ? ' verify--alert' : ''}`}
            aria-label={t('contactRow.verify', { name })}
            title={contact.keyChanged ? t('contactRow.keyChangedHint') : contact.verified ? t('contactRow.verified') : t('contactRow.compareHint')}
            onClick={() => onVerify(contact)}
          >
            {contact.keyChanged ? <ShieldAlert size={18} aria-hidden="true" /> : <ShieldCheck size={18} aria-hidden="true" />}
          </button>
        )}
        <BlockToggle name={name} blocked={isBlocked} onToggle={() => onToggleBlock(contact)} />
        <button
          type="button"
          className={`icon-button star${contact.favourite ? ' star--on' : ''}`}
          aria-label={contact.favourite ? t('contact.unfavourite', { name }) : t('contact.favourite', { name })}
          title={contact.favourite ? t('contact.unfavouriteHint') : t('contact.favouriteHint')}
          onClick={() => onToggleFavourite(contact)}
        >
          <Star size={18} aria-hidden="true" />
        </button>
        <button
          type="button"
          className="icon-button icon-button--call"
          aria-label={t('contact.audioCall', { name })}
          title={blocked ?? t('contact.audioCall', { name })}
          disabled={blocked !== null}
          onClick={() => onCall(contact, 'audio')}
        >
          <Phone size={18} aria-hidden="true" />
        </button>
        <button
          type="button"
          className="icon-button icon-button--call"
          aria-label={t('contact.videoCall', { name })}
          title={blocked ?? t('contact.videoCall', { name })}
          disabled={blocked !== null}
          onClick={() => onCall(contact, 'video')}
        >
          <Video size={18} aria-hidden="true" />
        </button>
        {onMeeting && (
          <button
            type="button"
            className="icon-button icon-button--call"
            aria-label={t('contact.meeting', { name })}
            title={blocked ?? t('contact.meetingHint')}
            disabled={blocked !== null}
            onClick={() => onMeeting(contact)}
          >
            <Users size={18} aria-hidden="true" />
          </button>
        )}
      </div>
    </li>
  );
}
