/** The running call: a grid of tiles, my self-view, the timer and the controls. */
import { useMemo, useState } from 'react';
import TriangleAlert from 'lucide-react/icons/triangle-alert';
import type { CallView, PersonRef } from '../../call/types';
import { invitableContacts, type Contact } from '../../state/contacts';
import { peopleTitle } from '../../state/history';
import { AddParticipantDialog } from './AddParticipantDialog';
import { CallControls } from './CallControls';
import { CallTimer } from './CallTimer';
import { InviteeTile, ParticipantTile, SelfView } from './Tile';

type ActiveView = Extract<CallView, { phase: 'active' }>;

interface InCallProps {
  view: ActiveView;
  self: PersonRef;
  contacts: readonly Contact[];
  speakerId: string | null;
  onToggleMute(): void;
  onToggleCamera(): void;
  onInvite(person: PersonRef): void;
  onHangUp(): void;
}

/** The grid's shape for n tiles, as a class: CSS picks columns and rows from it. */
export function gridClass(count: number): string {
  return `call-grid call-grid--${Math.min(Math.max(count, 1), 9)}${count > 9 ? ' call-grid--many' : ''}`;
}

export function InCall({ view, self, contacts, speakerId, onToggleMute, onToggleCamera, onInvite, onHangUp }: InCallProps) {
  const [adding, setAdding] = useState(false);
  // Every person already in the call or ringing for it is left out of "Add participant".
  const present = useMemo(
    () => new Set([self.userId, ...view.participants.map((p) => p.userId), ...view.invitees.map((p) => p.userId)]),
    [self.userId, view.participants, view.invitees],
  );
  const candidates = useMemo(() => invitableContacts(contacts, present), [contacts, present]);
  const people = new Set(view.participants.map((p) => p.userId)).size + 1;
  const room = view.maxParticipants - people - view.invitees.length;
  const names = [...new Map(view.participants.map((p) => [p.userId, p.displayName])).values()];
  const tiles = view.participants.length + view.invitees.length;

  return (
    <section className="in-call" aria-label="Call">
      <header className="in-call__header">
        <h2 className="in-call__title">{names.length > 0 ? peopleTitle(names) : 'Call'}</h2>
        <span className="in-call__meta">
          {view.media === 'video' ? 'Video call' : 'Audio call'} · <CallTimer connectedAt={view.connectedAt} />
        </span>
      </header>
      {view.local.error && (
        <div className="in-call__error" role="alert">
          <TriangleAlert size={18} aria-hidden="true" />
          {view.local.error}
        </div>
      )}
      <div className={gridClass(tiles)}>
        {view.participants.map((p) => (
          <ParticipantTile
            key={p.deviceId}
            participant={p}
            activeSpeaker={view.activeSpeaker === p.deviceId || (view.activeSpeaker === null && p.speaking)}
            speakerId={speakerId}
          />
        ))}
        {view.invitees.map((p) => (
          <InviteeTile key={p.userId} person={p} />
        ))}
        {tiles === 0 && <div className="call-grid__waiting">Waiting for the others to connect…</div>}
      </div>
      <SelfView local={view.local} self={self} />
      <CallControls
        muted={view.local.muted}
        cameraOn={view.local.cameraOn}
        canAdd={room > 0}
        onToggleMute={onToggleMute}
        onToggleCamera={onToggleCamera}
        onAdd={() => setAdding(true)}
        onHangUp={onHangUp}
      />
      {adding && (
        <AddParticipantDialog
          candidates={candidates}
          room={room}
          maxParticipants={view.maxParticipants}
          onInvite={onInvite}
          onClose={() => setAdding(false)}
        />
      )}
    </section>
  );
}
