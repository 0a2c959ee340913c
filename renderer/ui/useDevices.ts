/**
 * The device lists (enumerateDevices), refreshed on every 'devicechange' (hot-plug)
 * and after a permission grant makes labels appear; the choice of a device, kept in
 * settings and put in use at once during a call; and the fallback when a device in
 * use is unplugged.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { effectiveDevice, lostDeviceMessage, lostDevices, NO_DEVICES, sameDeviceLists, toDeviceLists, type DeviceKind, type DeviceLists } from '../media/devices';
import { deviceNotices } from '../media/deviceNotices';
import { log } from '../log';
import type { CallEngine } from '../session';
import { useStore, type Services } from './services';

function mediaDevices(): MediaDevices | null {
  return (navigator.mediaDevices as MediaDevices | undefined) ?? null;
}

/** The lists now; `refresh` asks again (after a permission, or when a menu opens). */
export function useDeviceLists(): { lists: DeviceLists; refresh(): void } {
  const [lists, setLists] = useState<DeviceLists>(NO_DEVICES);
  const refresh = useCallback(() => {
    const devices = mediaDevices();
    if (!devices) return;
    devices.enumerateDevices().then(
      (infos) => setLists((current) => {
        const next = toDeviceLists(infos);
        return sameDeviceLists(current, next) ? current : next;
      }),
      (error: unknown) => log.child('media').warn('the device lists could not be read; the menus keep what they had', error),
    );
  }, []);
  useEffect(() => {
    const devices = mediaDevices();
    if (!devices) return;
    refresh();
    devices.addEventListener('devicechange', refresh);
    return () => devices.removeEventListener('devicechange', refresh);
  }, [refresh]);
  return { lists, refresh };
}

/** Stores a choice and, in a call, switches to it now. Errors go to a toast; the old device stays. */
export function useDeviceChoice(services: Services, engine: CallEngine | null) {
  return useCallback(
    (kind: DeviceKind, deviceId: string | null) => {
      const { settings, toasts } = services;
      void (async () => {
        try {
          await settings.update({ devices: { ...settings.getSnapshot().devices, [kind]: deviceId } });
          if (kind !== 'speaker' && engine) await engine.features.switchDevice(kind, deviceId);
        } catch (error) {
          toasts.push({ level: 'error', message: error instanceof Error ? error.message : String(error) });
        }
      })();
    },
    [services, engine],
  );
}

/**
 * Devices that come and go (issue 16.5). A microphone or camera in use that goes
 * away is handled by the media layer (renderer/media/localMedia.ts: the default takes
 * over, and the device is used again when it returns); its notices become toasts
 * here. The speaker is only an output choice: when the chosen one disappears the
 * default plays (effectiveDevice), and the person is told.
 */
export function useDeviceFallback(services: Services, lists: DeviceLists): void {
  useEffect(() => deviceNotices.subscribe((notice) => void services.toasts.push(notice)), [services]);
  // The ringtone rings on the chosen speaker while it is there, else on the default.
  const chosenSpeaker = useStore(services.settings).devices.speaker;
  const ringOn = effectiveDevice('speaker', chosenSpeaker, lists);
  useEffect(() => services.ringtone.setSpeaker(ringOn), [services, ringOn]);
  const previous = useRef(lists);
  useEffect(() => {
    const before = previous.current;
    previous.current = lists;
    if (before === lists || before === NO_DEVICES) return;
    const lost = lostDevices({ microphone: null, camera: null, speaker: services.settings.getSnapshot().devices.speaker }, before, lists);
    for (const device of lost) services.toasts.push({ level: 'warning', message: lostDeviceMessage(device) });
  }, [lists, services]);
}
