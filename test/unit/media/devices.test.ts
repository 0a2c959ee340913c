/** Device lists from enumerateDevices, the effective choice, and unplugged devices. */
import { describe, expect, it } from 'vitest';
import { effectiveDevice, lostDeviceMessage, lostDevices, toDeviceLists } from '../../../renderer/media/devices';

const CHROMIUM_FAKES = [
  { deviceId: 'default', kind: 'audioinput', label: 'Default - Fake Audio Input 1' },
  { deviceId: 'mic-1', kind: 'audioinput', label: 'Fake Audio Input 1' },
  { deviceId: 'mic-2', kind: 'audioinput', label: 'Fake Audio Input 2' },
  { deviceId: 'cam-0', kind: 'videoinput', label: 'fake_device_0' },
  { deviceId: 'default', kind: 'audiooutput', label: 'Fake Default Audio Output' },
  { deviceId: 'out-1', kind: 'audiooutput', label: '' },
];

describe('device lists', () => {
  it('lists real devices per kind, names the system default, and numbers devices without labels', () => {
    const lists = toDeviceLists(CHROMIUM_FAKES);
    expect(lists.microphone).toEqual([
      { id: 'mic-1', label: 'Fake Audio Input 1' },
      { id: 'mic-2', label: 'Fake Audio Input 2' },
    ]);
    expect(lists.camera).toEqual([{ id: 'cam-0', label: 'fake_device_0' }]);
    expect(lists.speaker).toEqual([{ id: 'out-1', label: 'Speaker 1' }]);
    expect(lists.defaults).toEqual({ microphone: 'Fake Audio Input 1', camera: null, speaker: 'Fake Default Audio Output' });
  });

  it('uses a chosen device only while it is there', () => {
    const lists = toDeviceLists(CHROMIUM_FAKES);
    expect(effectiveDevice('speaker', 'out-1', lists)).toBe('out-1');
    expect(effectiveDevice('speaker', 'out-9', lists)).toBeNull();
    expect(effectiveDevice('microphone', null, lists)).toBeNull();
  });

  it('names the devices in use that were unplugged, and only those', () => {
    const before = toDeviceLists(CHROMIUM_FAKES);
    const after = toDeviceLists(CHROMIUM_FAKES.filter((d) => d.deviceId !== 'mic-2' && d.deviceId !== 'out-1'));
    const lost = lostDevices({ microphone: 'mic-2', camera: 'cam-0', speaker: 'out-1' }, before, after);
    expect(lost).toEqual([
      { kind: 'microphone', id: 'mic-2', label: 'Fake Audio Input 2' },
      { kind: 'speaker', id: 'out-1', label: 'Speaker 1' },
    ]);
    expect(lostDeviceMessage(lost[0]!)).toBe(
      'Your microphone “Fake Audio Input 2” was disconnected — Parley switched to the system default microphone.',
    );
    // The default follows the system by itself; a device never listed was not "lost".
    expect(lostDevices({ microphone: 'default', camera: 'cam-new' }, before, after)).toEqual([]);
  });
});
