/**
 * What the host asks of a call — the tray, a notification's buttons, a global
 * shortcut, a parley:// link the person confirmed — and how the engine answers it.
 * These arrive outside React, at any moment: each is judged against the store's
 * state now, not against whatever the window last drew.
 */
import type { CallMedia } from '../../signaling-server/protocol';
import type { CallState } from './callState';
import type { CallCommands } from './engineCommands';
import type { CallFeaturesController } from './featureTypes';
import type { CallView, PersonRef } from './types';
import { t } from '../i18n';

export type HostAction =
  /** "Call Alice" from the tray: a contact, who must be online. */
  | { type: 'call'; userId: string; media: CallMedia }
  /** A parley:// link, after the person said yes ("Call Bob?", linkCall.ts). */
  | { type: 'dial'; peer: PersonRef; media: CallMedia }
  | { type: 'accept'; video: boolean }
  | { type: 'decline' }
  /** Hang up whatever the call is: leave it, stop ringing out, or decline. */
  | { type: 'hangup' }
  | { type: 'toggle-mute' }
  | { type: 'toggle-camera' }
  | { type: 'toggle-screen-share' }
  /** Resume from sleep or unlock: the network may have changed under the call. */
  | { type: 'network-check' };

export type HostOutcome =
  | { kind: 'done' }
  /** Nothing was done; the person is told why (a warning: nothing broke). */
  | { kind: 'refused'; message: string }
  /** Screen sharing needs a click in the window (capture demands a user gesture): bring the window up. */
  | { kind: 'show-window' };

/** Who a user is among the contacts, as the tray's call needs it; null for nobody known. */
export type ContactLookup = (userId: string) => { displayName: string; online: boolean } | null;

export interface HostActionTarget {
  state(): CallState;
  view(): CallView;
  commands: CallCommands;
  features: CallFeaturesController;
  contactOf: ContactLookup;
}

const DONE: HostOutcome = { kind: 'done' };
/** Why a host action that starts a call is refused beside a running one, in the UI's language (built when refused). */
export const busyMessage = (): string => t('linkCall.inCall');

export async function handleHostAction(target: HostActionTarget, action: HostAction): Promise<HostOutcome> {
  const { commands } = target;
  const phase = target.state().phase;
  switch (action.type) {
    case 'call': {
      if (phase !== 'idle' && phase !== 'ended') return { kind: 'refused', message: busyMessage() };
      const contact = target.contactOf(action.userId);
      if (!contact?.online) {
        return { kind: 'refused', message: t('linkCall.offline', { name: contact?.displayName ?? t('linkCall.unknownPerson') }) };
      }
      await commands.call({ userId: action.userId, displayName: contact.displayName }, action.media);
      return DONE;
    }
    case 'dial':
      if (phase !== 'idle' && phase !== 'ended') return { kind: 'refused', message: busyMessage() };
      await commands.call(action.peer, action.media);
      return DONE;
    case 'accept':
      // The engine sends video only for a video call.
      if (phase === 'incoming') await commands.accept({ video: action.video });
      return DONE;
    case 'decline':
      if (phase === 'incoming') await commands.decline();
      return DONE;
    case 'hangup':
      await commands.hangUp();
      return DONE;
    case 'network-check':
      commands.checkConnections();
      return DONE;
  }
  // The rest act on a running call only, and on what it shows now.
  const view = target.view();
  if (view.phase !== 'active') return DONE;
  switch (action.type) {
    case 'toggle-mute':
      commands.setMuted(!view.local.muted);
      return DONE;
    case 'toggle-camera':
      await commands.setCameraOn(!view.local.cameraOn);
      return DONE;
    case 'toggle-screen-share':
      if (view.local.screen) {
        target.features.stopSharing();
        return DONE;
      }
      target.features.askToShare();
      return { kind: 'show-window' };
  }
}
