/**
 * The end-to-end encryption status of the SFU call now on this page, for the call
 * UI's lock badge (ui/call/E2eeBadge.tsx). callE2ee.ts writes it; React reads it
 * with useSyncExternalStore.
 */
import { useSyncExternalStore } from 'react';
import type { CallE2eeStatus } from './callE2ee';

let current: CallE2eeStatus | null = null;
const listeners = new Set<() => void>();

/** The status of `status.callId`; null (with the callId) clears it when that call's encryption ends. */
export function setCallE2eeStatus(status: CallE2eeStatus | null, callId?: string): void {
  if (status === null && current !== null && callId !== undefined && current.callId !== callId) return;
  current = status;
  for (const listener of listeners) listener();
}

export function callE2eeStatus(): CallE2eeStatus | null {
  return current;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The status for `callId`, or null when that call has no SFU encryption running. */
export function useCallE2eeStatus(callId: string | null): CallE2eeStatus | null {
  const status = useSyncExternalStore(subscribe, callE2eeStatus, callE2eeStatus);
  return status !== null && status.callId === callId ? status : null;
}
