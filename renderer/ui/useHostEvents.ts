/**
 * Host → renderer events: calls started from the tray or a deep link (a link only
 * asks: see linkCall.ts), actions from the tray, notifications or shortcuts, and
 * the desktop's screen-source requests.
 */
import { useEffect, useRef, useState } from 'react';
import type { CallAction, CallRequest, ScreenSourceRequest } from '../../preload/contract';
import type { CallMedia } from '../../signaling-server/protocol';
import type { CallView } from '../call/types';
import type { Contact } from '../state/contacts';
import { linkCallObstacle, linkCallQuestion, type LinkCallQuestion } from '../state/linkCall';
import type { CallEngine } from '../state/session';
import type { Services } from './services';

export interface HostEventHandlers {
  engine: CallEngine | null;
  view: CallView;
  contacts: readonly Contact[];
  setStatus(status: Extract<CallAction, { type: 'set-status' }>['status']): void;
  run(action: () => Promise<void> | void): void;
}

export function useHostEvents(services: Services, handlers: HostEventHandlers) {
  const latest = useRef(handlers);
  latest.current = handlers;
  const [screenRequest, setScreenRequest] = useState<ScreenSourceRequest | null>(null);
  const pendingRequest = useRef<ScreenSourceRequest | null>(null);
  const [linkQuestion, setLinkQuestion] = useState<LinkCallQuestion | null>(null);
  const { bridge, toasts } = services;

  useEffect(() => {
    const onCallRequested = (request: CallRequest): void => {
      const { engine, view, contacts, run } = latest.current;
      // Any web page can open a parley:// link: ask first (linkCall.ts). A newer link replaces an open question.
      if (request.via === 'link') return setLinkQuestion(linkCallQuestion(request, contacts));
      if (!engine) return void toasts.push({ level: 'warning', message: 'Parley is not connected yet. Try the call again in a moment.' });
      if (view.phase !== 'idle' && view.phase !== 'ended') {
        return void toasts.push({ level: 'warning', message: 'Finish the current call before starting another one.' });
      }
      const contact = contacts.find((c) => c.userId === request.userId);
      if (!contact || contact.status === 'offline') {
        const who = contact?.displayName ?? 'That person';
        return void toasts.push({ level: 'warning', message: `${who} is not online, so the call cannot ring.` });
      }
      run(async () => {
        if (view.phase === 'ended') engine.dismiss();
        await engine.call({ userId: contact.userId, displayName: contact.displayName }, request.media);
      });
    };

    const onCallAction = (action: CallAction): void => {
      const { engine, view, run, setStatus } = latest.current;
      if (action.type === 'set-status') return setStatus(action.status);
      if (action.type === 'show-call') return window.focus();
      if (!engine) return;
      switch (action.type) {
        case 'accept':
          if (view.phase === 'incoming') run(() => engine.accept({ video: action.video && view.media === 'video' }));
          return;
        case 'decline':
          if (view.phase === 'incoming') run(() => engine.decline());
          return;
        case 'hangup':
          if (view.phase === 'active') run(() => engine.hangUp());
          else if (view.phase === 'outgoing') run(() => engine.cancel());
          else if (view.phase === 'incoming') run(() => engine.decline());
          return;
        case 'toggle-mute':
          if (view.phase === 'active') engine.setMuted(!view.local.muted);
          return;
        case 'toggle-camera':
          if (view.phase === 'active') run(() => engine.setCameraOn(!view.local.cameraOn));
          return;
        case 'network-check':
          // Resume from sleep or unlock: the network may have changed under the call.
          engine.checkConnections();
          return;
        case 'toggle-screen-share':
          if (view.phase !== 'active') return;
          if (view.local.screen) return engine.features.stopSharing();
          // Starting needs a click in the window (capture demands a user gesture):
          // bring the window up and let the call ask for it.
          window.focus();
          engine.features.askToShare();
          return;
      }
    };

    const onScreenSources = (request: ScreenSourceRequest): void => {
      // A new request replaces one still open; the old one is answered "cancelled".
      const previous = pendingRequest.current;
      if (previous) bridge.chooseScreenSource({ requestId: previous.requestId, sourceId: null });
      pendingRequest.current = request;
      setScreenRequest(request);
    };

    const offs = [
      bridge.onCallRequested(onCallRequested),
      bridge.onCallAction(onCallAction),
      bridge.onScreenSourcesRequested(onScreenSources),
    ];
    return () => {
      offs.forEach((off) => off());
      const open = pendingRequest.current;
      if (open) bridge.chooseScreenSource({ requestId: open.requestId, sourceId: null });
      pendingRequest.current = null;
    };
  }, [bridge, toasts]);

  const answerScreenRequest = (sourceId: string | null): void => {
    const open = pendingRequest.current;
    pendingRequest.current = null;
    setScreenRequest(null);
    if (open) bridge.chooseScreenSource({ requestId: open.requestId, sourceId });
  };

  /** The user answered "Call …?" for a link: dial what they chose, if it still can be. */
  const answerLinkQuestion = (media: CallMedia | null): void => {
    const question = linkQuestion;
    setLinkQuestion(null);
    if (!question || media === null) return;
    const { engine, view, contacts, run } = latest.current;
    if (!engine) return void toasts.push({ level: 'warning', message: 'Parley is not connected yet. Open the link again in a moment.' });
    const obstacle = linkCallObstacle(question, contacts, view.phase === 'idle' || view.phase === 'ended' ? view.phase : 'other');
    if (obstacle) return void toasts.push({ level: 'warning', message: obstacle });
    run(async () => {
      if (engine.getView().phase === 'ended') engine.dismiss();
      await engine.call({ userId: question.userId, displayName: question.name }, media);
    });
  };

  return { screenRequest, answerScreenRequest, linkQuestion, answerLinkQuestion };
}
