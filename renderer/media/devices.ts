/**
 * The microphones, cameras and speakers a person can choose from, and what to do
 * when one goes away. Pure: the lists come from enumerateDevices() infos, the
 * choices from settings.devices (null: the system default).
 *
 * Chromium lists a pseudo-device "default" (and on Windows "communications") that
 * follows the system setting; those are not real devices, so they become the
 * "System default" entry instead of a second copy of a real one.
 */

export type DeviceKind = 'microphone' | 'camera' | 'speaker';

export interface DeviceOption {
  id: string;
  label: string;
}

export interface DeviceLists {
  microphone: DeviceOption[];
  camera: DeviceOption[];
  speaker: DeviceOption[];
  /** The label of the system default per kind, when the browser names it. */
  defaults: Record<DeviceKind, string | null>;
}

export const NO_DEVICES: DeviceLists = {
  microphone: [],
  camera: [],
  speaker: [],
  defaults: { microphone: null, camera: null, speaker: null },
};

export interface DeviceInfoLike {
  deviceId: string;
  kind: string;
  label: string;
}

const KIND_OF: Record<string, DeviceKind> = { audioinput: 'microphone', videoinput: 'camera', audiooutput: 'speaker' };
const NOUN: Record<DeviceKind, string> = { microphone: 'Microphone', camera: 'Camera', speaker: 'Speaker' };
const PSEUDO_IDS = new Set(['default', 'communications', '']);

export function deviceNoun(kind: DeviceKind): string {
  return NOUN[kind].toLowerCase();
}

export function toDeviceLists(infos: readonly DeviceInfoLike[]): DeviceLists {
  const lists: DeviceLists = { microphone: [], camera: [], speaker: [], defaults: { microphone: null, camera: null, speaker: null } };
  for (const info of infos) {
    const kind = KIND_OF[info.kind];
    if (!kind) continue;
    if (info.deviceId === 'default') {
      // Chromium names it "Default - <real device>"; keep the real part.
      lists.defaults[kind] = info.label.replace(/^Default\s*-\s*/i, '') || null;
      continue;
    }
    if (PSEUDO_IDS.has(info.deviceId)) continue;
    const list = lists[kind];
    if (list.some((d) => d.id === info.deviceId)) continue;
    // Labels are empty until the page has had a media permission (Media Capture §9.2).
    list.push({ id: info.deviceId, label: info.label || `${NOUN[kind]} ${list.length + 1}` });
  }
  return lists;
}

export function sameDeviceLists(a: DeviceLists, b: DeviceLists): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The chosen device when it is present, else null (the system default). */
export function effectiveDevice(kind: DeviceKind, chosen: string | null, lists: DeviceLists): string | null {
  return chosen !== null && lists[kind].some((d) => d.id === chosen) ? chosen : null;
}

export interface LostDevice {
  kind: DeviceKind;
  id: string;
  label: string;
}

/**
 * Devices in use (the active tracks' and the chosen speaker's ids) that were in
 * the previous list and are not in the new one: unplugged. A device that was never
 * listed is not "lost" (labels and ids can appear late, after a permission).
 */
export function lostDevices(
  inUse: Partial<Record<DeviceKind, string | null>>,
  before: DeviceLists,
  after: DeviceLists,
): LostDevice[] {
  const lost: LostDevice[] = [];
  for (const kind of ['microphone', 'camera', 'speaker'] as const) {
    const id = inUse[kind];
    if (!id || PSEUDO_IDS.has(id)) continue;
    const was = before[kind].find((d) => d.id === id);
    if (was && !after[kind].some((d) => d.id === id)) lost.push({ kind, id, label: was.label });
  }
  return lost;
}

/** The toast for an unplugged device. */
export function lostDeviceMessage(device: LostDevice): string {
  return `Your ${deviceNoun(device.kind)} “${device.label}” was disconnected — Parley switched to the system default ${deviceNoun(device.kind)}.`;
}
