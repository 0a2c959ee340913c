/**
 * The in-call features as the UI sees them (screen sharing, chat, files, live
 * stats, device switching): a view of their own beside the CallView, and the
 * controller methods. Shared screens also appear in the CallView itself
 * (RemoteParticipant.screen, LocalMediaView.screen), because they are tiles.
 */
import type { StatsDigest } from './callStats';
import type { ChatLog } from './chatLog';
import type { FileLike, TransferView } from './fileTransfers';
import type { Unsubscribe } from './types';

export type { ChatLog, ChatMessage } from './chatLog';
export type { StatsDigest, Quality } from './callStats';
export type { FileLike, TransferView } from './fileTransfers';

export interface FeaturesView {
  /** This host can capture a screen (getDisplayMedia exists). */
  screenShareSupported: boolean;
  /** I share a screen now. */
  sharing: boolean;
  /** Someone asked from outside the window (the tray) to share; a click in the window must pick. */
  sharePrompt: boolean;
  chat: ChatLog;
  transfers: readonly TransferView[];
  /** Live statistics per remote deviceId (updated every second during a call). */
  stats: Readonly<Record<string, StatsDigest>>;
  /** Peers that chat and files can reach now. */
  reachable: number;
}

export interface CallFeaturesController {
  getSnapshot(): FeaturesView;
  subscribe(listener: () => void): Unsubscribe;
  /** Opens the picker and shares; resolves quietly when the person cancels. Throws a readable Error. */
  shareScreen(): Promise<void>;
  stopSharing(): void;
  /** The tray's "share": capture needs a click inside the window, so the call asks for one. */
  askToShare(): void;
  dismissSharePrompt(): void;
  sendChat(text: string): void;
  setChatOpen(open: boolean): void;
  /** Sends to every member; throws a readable Error (over the size limit, nobody to send to). */
  sendFile(file: FileLike): Promise<void>;
  /** Accepts an incoming file offer; throws a readable Error when the call has no room left for it. */
  acceptTransfer(key: string): Promise<void>;
  declineTransfer(key: string): void;
  cancelTransfer(key: string): void;
  dismissTransfer(key: string): void;
  /** Shows a received file in the system's file manager (desktop, where files are saved to disk). */
  revealTransfer(key: string): Promise<void>;
  /** Puts another microphone or camera in use mid-call (replaceTrack). False: nothing to switch. */
  switchDevice(device: 'microphone' | 'camera', deviceId: string | null): Promise<boolean>;
}
