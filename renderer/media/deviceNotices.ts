/**
 * What the media layer has to tell the person about devices (issue 16.5): a
 * microphone or camera in use went away and the default took over, or it came back
 * and is used again. LocalMedia emits here (unless given its own sink); the UI
 * (renderer/ui/useDevices.ts) shows each as a toast.
 */
import type { HostNotice } from '../../preload/contract';

export type DeviceNoticeListener = (notice: HostNotice) => void;

const listeners = new Set<DeviceNoticeListener>();

export const deviceNotices = {
  emit(notice: HostNotice): void {
    for (const listener of [...listeners]) listener(notice);
  },
  subscribe(listener: DeviceNoticeListener): () => void {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  },
};
