/**
 * The main stage: one screen per call phase. The in-call screen (InCall with its
 * tiles, chat, files and controls) is a chunk of its own (issue 16.8): loaded right
 * after the app first shows, so it is there before any call, and again when a call
 * needs it if that failed; failing, the stage says so and still offers Hang up.
 */
import PhoneOff from 'lucide-react/icons/phone-off';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { CallMedia } from '../../signaling-server/protocol';
import type { FeaturesView } from '../call/featureTypes';
import type { CallView, LocalMediaView, PersonRef } from '../call/types';
import type { Contact } from '../state/contacts';
import type { CallEngine } from '../session';
import { useT } from '../i18n';
import { log } from '../log';
import { CallEnded } from './call/CallEnded';
import type * as InCallModule from './call/InCall';
import type { InCallDevices } from './call/InCall';
import { IncomingCall } from './call/IncomingCall';
import { OutgoingCall } from './call/OutgoingCall';
import { hasLiveVideo, PreviewBackdrop } from './call/PreviewBackdrop';
import { RoundButton } from './call/RingingCard';
import { StandbyContext } from './call/standby';
import { IdleStage } from './IdleStage';
import type { Services } from './services';

const logger = log.child('ui.call');
let inCallModule: typeof InCallModule | null = null;
let inCallLoading: Promise<typeof InCallModule> | null = null;

/** The in-call screen's chunk, loaded once (a failed load is tried again by the next caller). */
function loadInCall(): Promise<typeof InCallModule> {
  inCallLoading ??= import('./call/InCall').then(
    (module) => (inCallModule = module),
    (error: unknown) => {
      inCallLoading = null;
      logger.error('the in-call screen could not be loaded', error);
      throw error;
    },
  );
  return inCallLoading;
}

/** The in-call screen's module once loaded; loads it now, and again while `needed` if it failed. */
function useInCallModule(needed: boolean): { module: typeof InCallModule | null; error: unknown } {
  const [, setLoaded] = useState(0);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (inCallModule) return;
    let live = true;
    loadInCall().then(
      () => {
        if (!live) return;
        setError(null);
        setLoaded((n) => n + 1);
      },
      (failure: unknown) => live && setError(failure),
    );
    return () => {
      live = false;
    };
  }, [needed]);
  return { module: inCallModule, error: inCallModule ? null : error };
}

export interface CallStageProps {
  services: Services;
  engine: CallEngine | null;
  view: CallView;
  self: PersonRef;
  online: boolean;
  contacts: readonly Contact[];
  speakerId: string | null;
  features: FeaturesView;
  devices: InCallDevices;
  run(action: () => Promise<void> | void): void;
  onCall(person: PersonRef, media: CallMedia): void;
  /** Puts a person on the block list (Decline and block). */
  onBlock(person: PersonRef): void;
  /** A ringing call from someone not in my contacts: how it is shown (null: a contact). */
  incomingStranger?: 'ask' | 'ring' | null;
  /** The server has a media server: "Add participant" offers to make the call a meeting. */
  meetings?: boolean;
}

/** How long my ringing preview stays, hidden, once the call is answered (PreviewBackdrop's `leaving`). */
export const PREVIEW_TEARDOWN_DELAY_MS = 2_000;

type Preview = LocalMediaView & { stream: MediaStream };

/**
 * My camera behind the ringing card while a call rings (when it is on), and for
 * PREVIEW_TEARDOWN_DELAY_MS after it is answered, hidden: the same element all along,
 * so answering only hides it and its teardown comes after the first frames.
 */
function useRingPreview(view: CallView): { local: Preview; leaving: boolean } | null {
  const ringing = view.phase === 'outgoing' || view.phase === 'incoming';
  const live = ringing && hasLiveVideo(view.local) ? view.local : null;
  const answered = view.phase === 'active';
  // The last preview shown while it rang, and whether its moment after the answer is over.
  const [kept, setKept] = useState<Preview | null>(null);
  const lastLive = useRef<Preview | null>(null);
  useEffect(() => {
    if (live) {
      lastLive.current = live;
      return;
    }
    if (!answered) {
      lastLive.current = null;
      return;
    }
    const last = lastLive.current;
    if (last === null) return;
    setKept(last);
    const timer = window.setTimeout(() => {
      lastLive.current = null;
      setKept(null);
    }, PREVIEW_TEARDOWN_DELAY_MS);
    return () => {
      window.clearTimeout(timer);
      setKept(null);
    };
  }, [live, answered]);
  if (live) return { local: live, leaving: false };
  // The render that answers comes before the effect above: it takes the preview from the ref.
  const leaving = answered ? (kept ?? lastLive.current) : null;
  return leaving ? { local: leaving, leaving: true } : null;
}

export function CallStage(props: CallStageProps) {
  const { services, engine, view, self, online, contacts, speakerId, features, devices, run, onCall, onBlock } = props;
  const { t } = useT();
  const inCall = useInCallModule(view.phase === 'active');
  const preview = useRingPreview(view);
  if (!engine || view.phase === 'idle') {
    return <IdleStage name={self.displayName} online={online} notifications={services.webNotifications} />;
  }
  const InCall = inCall.module?.InCall;
  // The in-call screen: shown when the call is active, and built hidden while it
  // rings (standby.ts), at the same place in the tree so that answering keeps it.
  const callView = view.phase === 'active' ? view : view.phase === 'ended' ? undefined : view.prepared;
  const screen = InCall && callView && (
    <InCallSlot standby={view.phase !== 'active'}>
      <InCall
        view={callView}
        self={self}
        contacts={contacts}
        speakerId={speakerId}
        features={features}
        controller={engine.features}
        devices={devices}
        run={run}
        onToggleMute={() => engine.setMuted(!callView.local.muted)}
        onToggleCamera={() => run(() => engine.setCameraOn(!callView.local.cameraOn))}
        onInvite={(person, options) => run(() => engine.invite(person, options))}
        meetings={props.meetings === true}
        onHangUp={() => run(() => engine.hangUp())}
      />
    </InCallSlot>
  );
  // After the screen, before the card: the same place in every ringing and active
  // fragment, so answering keeps the element (React matches fragment children by place).
  const backdrop = preview && <PreviewBackdrop local={preview.local} leaving={preview.leaving} />;
  switch (view.phase) {
    case 'outgoing':
      return (
        <>
          {screen}
          {backdrop}
          <OutgoingCall view={view} onCancel={() => run(() => engine.cancel())} />
        </>
      );
    case 'incoming':
      return (
        <>
          {screen}
          {backdrop}
          <IncomingCall
            view={view}
            onAccept={(video) => run(() => engine.accept({ video }))}
            onDecline={() => run(() => engine.decline())}
            onDeclineAndBlock={() => {
              onBlock(view.from);
              run(() => engine.decline());
            }}
            stranger={props.incomingStranger ?? null}
          />
        </>
      );
    case 'active': {
      if (screen)
        return (
          <>
            {screen}
            {backdrop}
          </>
        );
      if (inCall.error === null) return null; // loading: a moment at most (it loads at start)
      const reason = inCall.error instanceof Error ? inCall.error.message : String(inCall.error);
      return (
        <section className="call-card" role="alert">
          <p>{t('app.partNotLoaded', { reason })}</p>
          <RoundButton tone="danger" icon={<PhoneOff size={26} aria-hidden="true" />} label={t('call.hangUp')} shortcut="hangUp" onClick={() => run(() => engine.hangUp())} />
        </section>
      );
    }
    case 'ended': {
      const peer = view.peers.length === 1 ? view.peers[0] : undefined;
      const reachable = peer ? contacts.some((c) => c.userId === peer.userId && c.status !== 'offline') : false;
      return (
        <CallEnded
          key={view.callId ?? 'ended'}
          view={view}
          onClose={() => engine.dismiss()}
          onCallAgain={peer && reachable && online ? () => onCall(peer, view.media) : null}
        />
      );
    }
  }
}

/**
 * Where the in-call screen lives. Standing by, it is laid out but invisible under
 * the ringing card, out of the keyboard's and the screen reader's reach (inert).
 */
function InCallSlot({ standby, children }: { standby: boolean; children: ReactNode }) {
  return (
    <div className={standby ? 'call-slot call-slot--standby' : 'call-slot'} inert={standby} aria-hidden={standby || undefined} data-testid="call-slot">
      <StandbyContext.Provider value={standby}>{children}</StandbyContext.Provider>
    </div>
  );
}
