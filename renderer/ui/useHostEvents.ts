/**
 * Host → renderer events. Calls asked by the tray and actions from the tray,
 * notifications or shortcuts are forwarded to the engine as they come
 * (`engine.handle`, hostActions.ts): the engine judges each against the call as it
 * is now. What stays here is what needs the window: a parley:// link only asks
 * ("Call Bob?", linkCall.ts) and dials once the person said yes; the status goes
 * to the settings; the desktop's screen-source requests open the picker.
 */
import { useEffect, useRef, useState } from 'react';
import type { CallAction, CallRequest, ScreenSourceRequest } from '../../preload/contract';
import type { CallMedia } from '../../signaling-server/protocol';
import type { Contact } from '../state/contacts';
import { linkCallObstacle, linkCallQuestion, type LinkCallQuestion } from '../state/linkCall';
import type { CallEngine, HostAction } from '../session';
import type { Services } from './services';
import { t } from '../i18n';

export interface HostEventHandlers {
  engine: CallEngine | null;
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
    /** Hands an action to the engine; a refusal is a warning, a failure an error (run). */
    const forward = (engine: CallEngine, action: HostAction): void =>
      latest.current.run(async () => {
        const outcome = await engine.handle(action);
        if (outcome.kind === 'refused') toasts.push({ level: 'warning', message: outcome.message });
        else if (outcome.kind === 'show-window') window.focus();
      });

    const onCallRequested = (request: CallRequest): void => {
      const { engine, contacts } = latest.current;
      // Any web page can open a parley:// link: ask first (linkCall.ts). A newer link replaces an open question.
      if (request.via === 'link') return setLinkQuestion(linkCallQuestion(request, contacts));
      if (!engine) return void toasts.push({ level: 'warning', message: t('notices.notConnectedCall') });
      forward(engine, { type: 'call', userId: request.userId, media: request.media });
    };

    const onCallAction = (action: CallAction): void => {
      const { engine, setStatus } = latest.current;
      if (action.type === 'set-status') return setStatus(action.status);
      if (action.type === 'show-call') return window.focus();
      if (engine) forward(engine, action);
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
    const { engine, contacts, run } = latest.current;
    if (!engine) return void toasts.push({ level: 'warning', message: t('notices.notConnectedLink') });
    const { phase } = engine.getView();
    const obstacle = linkCallObstacle(question, contacts, phase === 'idle' || phase === 'ended' ? phase : 'other');
    if (obstacle) return void toasts.push({ level: 'warning', message: obstacle });
    run(async () => {
      const outcome = await engine.handle({ type: 'dial', peer: { userId: question.userId, displayName: question.name }, media });
      if (outcome.kind === 'refused') toasts.push({ level: 'warning', message: outcome.message });
    });
  };

  return { screenRequest, answerScreenRequest, linkQuestion, answerLinkQuestion };
}
