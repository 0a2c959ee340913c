/** The running call: shared screens, a grid of tiles, my self-view, chat, the timer and the controls. */
import { useEffect, useMemo, useState, type DragEvent } from 'react';
import MonitorUp from 'lucide-react/icons/monitor-up';
import TriangleAlert from 'lucide-react/icons/triangle-alert';
import type { Settings } from '../../../preload/contract';
import type { CallFeaturesController, FeaturesView } from '../../call/featureTypes';
import type { CallView, PersonRef } from '../../call/types';
import type { DeviceKind, DeviceLists } from '../../media/devices';
import { invitableContacts, type Contact } from '../../state/contacts';
import { peopleTitle } from '../../state/history';
import { useT } from '../../i18n';
import { AddParticipantDialog } from './AddParticipantDialog';
import { CallControls } from './CallControls';
import { CallTimer } from './CallTimer';
import { ChatPanel } from './ChatPanel';
import { DeviceMenu } from './DeviceMenu';
import { E2eeBadge } from './E2eeBadge';
import { QualityMark } from './QualityMark';
import { ReconnectionNotice } from './ReconnectionNotice';
import { ScreenTile } from './ScreenTile';
import { SharePrompt } from './SharePrompt';
import { StatsOverlay } from './StatsOverlay';
import { InviteeTile, ParticipantTile, SelfView } from './Tile';
import '../styles/call-features.css';

type ActiveView = Extract<CallView, { phase: 'active' }>;

export interface InCallDevices {
  lists: DeviceLists;
  chosen: Settings['devices'];
  onChoose(kind: DeviceKind, deviceId: string | null): void;
  /** Labels appear after a permission; the menu asks again when it opens. */
  refresh(): void;
}

interface InCallProps {
  view: ActiveView;
  self: PersonRef;
  contacts: readonly Contact[];
  speakerId: string | null;
  features: FeaturesView;
  controller: CallFeaturesController | null;
  devices: InCallDevices;
  run(action: () => Promise<void> | void): void;
  onToggleMute(): void;
  onToggleCamera(): void;
  onInvite(person: PersonRef, options: { meeting: boolean }): void;
  /** The server has a media server: a peer-to-peer call can become a meeting when someone is added. */
  meetings?: boolean;
  onHangUp(): void;
}

/** The grid's shape for n tiles, as a class: CSS picks columns and rows from it. */
export function gridClass(count: number): string {
  return `call-grid call-grid--${Math.min(Math.max(count, 1), 9)}${count > 9 ? ' call-grid--many' : ''}`;
}

export function InCall(props: InCallProps) {
  const { view, self, contacts, speakerId, features, controller, devices, run } = props;
  const { t } = useT();
  const [adding, setAdding] = useState(false);
  const [statsShown, setStatsShown] = useState(false);
  const [devicesOpen, setDevicesOpen] = useState(false);
  const [dragging, setDragging] = useState(false);
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
  const screens = view.participants.filter((p): p is typeof p & { screen: MediaStream } => p.screen !== null);
  const chatOpen = features.chat.open;
  // A file offer is a question for the person: open the panel where it is asked.
  const offers = features.transfers.filter((t) => t.status === 'offered').length;
  useEffect(() => {
    if (offers > 0) controller?.setChatOpen(true);
  }, [offers, controller]);

  const sendFiles = (files: readonly File[]): void => {
    if (!controller) return;
    if (!chatOpen) controller.setChatOpen(true);
    for (const file of files) run(() => controller.sendFile(file));
  };
  const onDrop = (event: DragEvent<HTMLElement>): void => {
    if (!event.dataTransfer.types.includes('Files')) return;
    event.preventDefault();
    setDragging(false);
    sendFiles([...event.dataTransfer.files]);
  };
  const onDragOver = (event: DragEvent<HTMLElement>): void => {
    if (!controller || !event.dataTransfer.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    if (!dragging) setDragging(true);
  };

  return (
    <section
      className={`in-call${chatOpen ? ' in-call--chat' : ''}${dragging ? ' in-call--dropping' : ''}`}
      aria-label={t('call.region')}
      onDragOver={onDragOver}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <header className="in-call__header">
        <h2 className="in-call__title">{names.length > 0 ? peopleTitle(names) : t('call.region')}</h2>
        <span className="in-call__meta">
          {view.media === 'video' ? t('call.videoCall') : t('call.audioCall')} · <CallTimer connectedAt={view.connectedAt} />
        </span>
        <E2eeBadge view={view} />
        <ReconnectionNotice view={view} />
      </header>
      {view.local.error && (
        <div className="in-call__error" role="alert">
          <TriangleAlert size={18} aria-hidden="true" />
          {view.local.error}
        </div>
      )}
      {features.sharePrompt && controller && (
        <SharePrompt onShare={() => run(() => controller.shareScreen())} onDismiss={() => controller.dismissSharePrompt()} />
      )}
      {features.sharing && (
        <div className="in-call__notice" role="status">
          <MonitorUp size={18} aria-hidden="true" />
          <span>{t('call.sharingNotice')}</span>
        </div>
      )}
      <div className="in-call__body">
        <div className={`in-call__stage${screens.length > 0 ? ' in-call__stage--screens' : ''}`}>
          {screens.length > 0 && (
            <div className="screen-area">
              {screens.map((p) => (
                <ScreenTile key={p.deviceId} stream={p.screen} ownerName={p.displayName} userId={p.userId} />
              ))}
            </div>
          )}
          <div className={gridClass(tiles)}>
            {view.participants.map((p) => (
              <ParticipantTile
                key={p.deviceId}
                participant={p}
                activeSpeaker={view.activeSpeaker === p.deviceId || (view.activeSpeaker === null && p.speaking)}
                speakerId={speakerId}
                quality={<QualityMark quality={features.stats[p.deviceId]?.quality ?? 'unknown'} />}
                overlay={statsShown ? <StatsOverlay digest={features.stats[p.deviceId]} name={p.displayName} /> : null}
              />
            ))}
            {view.invitees.map((p) => (
              <InviteeTile key={p.userId} person={p} />
            ))}
            {tiles === 0 && <div className="call-grid__waiting">{t('call.waitingOthers')}</div>}
          </div>
        </div>
        {chatOpen && controller && (
          <ChatPanel
            chat={features.chat}
            transfers={features.transfers}
            reachable={features.reachable}
            onSend={(text) => run(() => controller.sendChat(text))}
            onFiles={sendFiles}
            onAcceptTransfer={(key) => run(() => controller.acceptTransfer(key))}
            onDeclineTransfer={(key) => controller.declineTransfer(key)}
            onCancelTransfer={(key) => controller.cancelTransfer(key)}
            onDismissTransfer={(key) => controller.dismissTransfer(key)}
            onRevealTransfer={(key) => run(() => controller.revealTransfer(key))}
            onClose={() => controller.setChatOpen(false)}
          />
        )}
      </div>
      <SelfView local={view.local} self={self} />
      <CallControls
        muted={view.local.muted}
        cameraOn={view.local.cameraOn}
        canAdd={room > 0}
        sharing={features.screenShareSupported && controller ? features.sharing : null}
        chatOpen={chatOpen}
        unread={features.chat.unread}
        statsShown={statsShown}
        devicesOpen={devicesOpen}
        deviceMenu={<DeviceMenu lists={devices.lists} chosen={devices.chosen} onChoose={devices.onChoose} onClose={() => setDevicesOpen(false)} />}
        onToggleMute={props.onToggleMute}
        onToggleCamera={props.onToggleCamera}
        onToggleShare={() => {
          if (!controller) return;
          if (features.sharing) controller.stopSharing();
          else run(() => controller.shareScreen());
        }}
        onToggleChat={() => controller?.setChatOpen(!chatOpen)}
        onToggleDevices={() => {
          if (!devicesOpen) devices.refresh();
          setDevicesOpen(!devicesOpen);
        }}
        onToggleStats={() => setStatsShown(!statsShown)}
        onAdd={() => setAdding(true)}
        onHangUp={props.onHangUp}
      />
      {adding && (
        <AddParticipantDialog
          candidates={candidates}
          room={room}
          maxParticipants={view.maxParticipants}
          canMeet={props.meetings === true && view.topology !== 'sfu'}
          onInvite={props.onInvite}
          onClose={() => setAdding(false)}
        />
      )}
    </section>
  );
}
