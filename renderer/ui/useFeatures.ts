/** The in-call features' view (chat, files, stats, sharing) of the session's engine. */
import { useMemo, useSyncExternalStore } from 'react';
import type { FeaturesView } from '../call/featureTypes';
import { EMPTY_CHAT } from '../call/chatLog';
import type { CallEngine } from '../session';

const NONE: FeaturesView = {
  screenShareSupported: false,
  sharing: false,
  sharePrompt: false,
  chat: EMPTY_CHAT,
  transfers: [],
  stats: {},
  reachable: 0,
};
const noSubscription = (): (() => void) => () => undefined;

export function useFeatures(engine: CallEngine | null): FeaturesView {
  const features = engine?.features ?? null;
  const { subscribe, getSnapshot } = useMemo(
    () =>
      features
        ? { subscribe: (l: () => void) => features.subscribe(l), getSnapshot: () => features.getSnapshot() }
        : { subscribe: noSubscription, getSnapshot: () => NONE },
    [features],
  );
  return useSyncExternalStore(subscribe, getSnapshot);
}
