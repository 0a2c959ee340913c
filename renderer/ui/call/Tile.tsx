/** One participant in the call grid, and the small mirrored self-view. */
import MicOff from 'lucide-react/icons/mic-off';
import Volume2 from 'lucide-react/icons/volume-2';
import VideoOff from 'lucide-react/icons/video-off';
import type { ReactNode } from 'react';
import type { LocalMediaView, PeerConnectionPhase, PersonRef, RemoteParticipant } from '../../call/types';
import { t, useT } from '../../i18n';
import { Avatar } from '../Avatar';
import { PersonName, useDistinctName } from '../PersonName';
import { useStandby } from './standby';
import { useMediaElement } from './useMediaElement';

function connectionText(phase: PeerConnectionPhase): string | undefined {
  if (phase === 'new' || phase === 'connecting') return t('tile.connecting');
  if (phase === 'reconnecting') return t('tile.reconnecting');
  if (phase === 'failed') return t('tile.lost');
  return undefined;
}

function MediaMarks({ audio, video, name }: { audio: boolean; video: boolean; name: string }) {
  const { t } = useT();
  return (
    <span className="tile__marks">
      {!audio && (
        <span className="tile__mark" role="img" aria-label={t('tile.muted', { name })} data-testid="mute-mark">
          <MicOff size={14} aria-hidden="true" />
        </span>
      )}
      {!video && (
        <span className="tile__mark" role="img" aria-label={t('tile.cameraOff', { name })} data-testid="camera-off-mark">
          <VideoOff size={14} aria-hidden="true" />
        </span>
      )}
    </span>
  );
}

interface ParticipantTileProps {
  participant: RemoteParticipant;
  activeSpeaker: boolean;
  speakerId: string | null;
  /** In-call features: the quality mark in the footer and, when shown, the statistics overlay. */
  quality?: ReactNode;
  overlay?: ReactNode;
}

export function ParticipantTile({ participant, activeSpeaker, speakerId, quality, overlay }: ParticipantTileProps) {
  // Standing by (standby.ts) the element plays muted, so it may start before any gesture; it unmutes when shown.
  const standby = useStandby();
  const { ref, blocked, resume, live, showing } = useMediaElement(participant.stream, { muted: standby, sinkId: speakerId });
  // The element is on top, and visible as soon as frames may come: until the first
  // is decoded it paints nothing and the avatar beneath shows through, and that first
  // frame reaches the screen with the compositor's next frame, not after a React
  // render in answer to the element's 'loadeddata' (issue 15).
  const showVideo = participant.video && live;
  const avatarShown = !(participant.video && showing);
  const { t } = useT();
  const status = connectionText(participant.connection);
  const name = participant.displayName;
  const label = useDistinctName(participant.userId, name);
  return (
    <div
      className={`tile${activeSpeaker ? ' tile--speaking' : ''}${showVideo ? '' : ' tile--no-video'}`}
      data-testid="tile"
      data-user-id={participant.userId}
      aria-label={label}
      role="group"
    >
      {avatarShown && (
        <div className="tile__avatar">
          <Avatar userId={participant.userId} name={name} size="xl" />
        </div>
      )}
      {/* The element stays mounted without video too: it plays the participant's audio. */}
      <video
        ref={ref}
        className="tile__video"
        autoPlay
        playsInline
        data-testid="remote-video"
        data-user-id={participant.userId}
      />
      {status && <div className="tile__status">{status}</div>}
      {blocked && (
        <button type="button" className="tile__unblock button button--secondary" onClick={resume}>
          <Volume2 size={16} aria-hidden="true" />
          {t('tile.playSound', { name })}
        </button>
      )}
      {overlay}
      <div className="tile__footer">
        <span className="tile__name">
          <PersonName userId={participant.userId} name={name} />
        </span>
        <MediaMarks audio={participant.audio} video={participant.video} name={name} />
        {quality}
      </div>
    </div>
  );
}

/** The words around a name in a sentence of the UI's language (the name keeps its look-alike mark). */
function aroundName(sentence: (name: string) => string): { before: string; after: string } {
  const slot = '\u0000';
  const [before = '', after = ''] = sentence(slot).split(slot);
  return { before, after };
}

export function InviteeTile({ person }: { person: PersonRef }) {
  const { t } = useT();
  const { before, after } = aroundName((name) => t('tile.ringingInvitee', { name }));
  return (
    <div className="tile tile--no-video tile--invitee" data-testid="invitee-tile" data-user-id={person.userId}>
      <div className="tile__avatar">
        <div className="ringing ringing--small" aria-hidden="true">
          <span className="ringing__wave" />
          <Avatar userId={person.userId} name={person.displayName} size="lg" />
        </div>
      </div>
      <div className="tile__footer">
        <span className="tile__name">
          <PersonName userId={person.userId} name={person.displayName} before={before} after={after} />
        </span>
      </div>
    </div>
  );
}

export function SelfView({ local, self }: { local: LocalMediaView; self: PersonRef }) {
  const { ref, showing } = useMediaElement(local.stream, { muted: true });
  const showVideo = local.cameraOn && showing;
  const { t } = useT();
  return (
    <div className={`self-view${showVideo ? '' : ' self-view--no-video'}`} data-testid="self-view" aria-label={t('tile.you')} role="group">
      <video ref={ref} className="self-view__video" autoPlay playsInline muted />
      {!showVideo && (
        <div className="tile__avatar">
          <Avatar userId={self.userId} name={self.displayName} size="md" />
        </div>
      )}
      <div className="tile__footer">
        <span className="tile__name">{t('tile.you')}</span>
        <MediaMarks audio={!local.muted} video={local.cameraOn} name={t('tile.you')} />
      </div>
    </div>
  );
}
