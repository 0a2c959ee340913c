/**
 * Devices that come and go (issue 16.5), with a fake mediaDevices that really
 * removes a device mid-call: its track ends, 'devicechange' fires, and
 * enumerateDevices no longer lists it. The default takes over at once, the person is
 * told which device went away, and Parley switches back when it returns.
 */
import { describe, expect, it } from 'vitest';
import type { HostNotice } from '../../../preload/contract';
import { LocalMedia } from '../../../renderer/media/localMedia';
import { deviceNotices } from '../../../renderer/media/deviceNotices';
import { FakeMediaStream, FakeMediaStreamTrack, createFakeStream } from '../fakes/fakeMedia';
import { waitFor } from '../fakes/waitFor';

interface FakeDevice {
  deviceId: string;
  kind: 'audioinput' | 'videoinput';
  label: string;
}

class DeviceTrack extends FakeMediaStreamTrack {
  constructor(readonly device: FakeDevice) {
    super(device.kind === 'audioinput' ? 'audio' : 'video', { label: device.label });
  }
  override getSettings(): MediaTrackSettings {
    return { deviceId: this.device.deviceId };
  }
}

/** Plugged devices, the first of each kind the default; unplugging ends its tracks. */
class PluggableDevices extends EventTarget {
  readonly plugged: FakeDevice[] = [];
  readonly tracks: DeviceTrack[] = [];

  plug(device: FakeDevice): void {
    this.plugged.push(device);
    this.dispatchEvent(new Event('devicechange'));
  }

  unplug(deviceId: string): void {
    const at = this.plugged.findIndex((d) => d.deviceId === deviceId);
    this.plugged.splice(at, 1);
    for (const track of this.tracks) if (track.device.deviceId === deviceId && track.readyState === 'live') track.endFromDevice();
    this.dispatchEvent(new Event('devicechange'));
  }

  async enumerateDevices(): Promise<FakeDevice[]> {
    return [...this.plugged];
  }

  async getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
    await Promise.resolve();
    const tracks: DeviceTrack[] = [];
    for (const [want, kind] of [
      [constraints.audio, 'audioinput'],
      [constraints.video, 'videoinput'],
    ] as const) {
      if (!want) continue;
      const spec = typeof want === 'object' ? want.deviceId : undefined;
      const exact = typeof spec === 'object' && spec !== null && !Array.isArray(spec) && 'exact' in spec ? String(spec.exact) : null;
      const ideal = typeof spec === 'object' && spec !== null && !Array.isArray(spec) && 'ideal' in spec ? String(spec.ideal) : null;
      const ofKind = this.plugged.filter((d) => d.kind === kind);
      const device = exact !== null ? ofKind.find((d) => d.deviceId === exact) : (ofKind.find((d) => d.deviceId === ideal) ?? ofKind[0]);
      if (device === undefined) throw new DOMException(`no ${kind}`, exact !== null ? 'OverconstrainedError' : 'NotFoundError');
      tracks.push(new DeviceTrack(device));
    }
    this.tracks.push(...tracks);
    return new FakeMediaStream(tracks);
  }
}

const BUILT_IN_MIC: FakeDevice = { deviceId: 'mic-built-in', kind: 'audioinput', label: 'Built-in microphone' };
const HEADSET: FakeDevice = { deviceId: 'mic-headset', kind: 'audioinput', label: 'USB headset' };
const WEBCAM: FakeDevice = { deviceId: 'cam-usb', kind: 'videoinput', label: 'USB webcam' };
const BUILT_IN_CAM: FakeDevice = { deviceId: 'cam-built-in', kind: 'videoinput', label: 'Built-in camera' };

function setup(plugged: FakeDevice[], preferred: { microphone: string | null; camera: string | null }) {
  const devices = new PluggableDevices();
  for (const device of plugged) devices.plugged.push(device);
  const notices: HostNotice[] = [];
  const local = new LocalMedia({
    devices,
    createStream: createFakeStream,
    preferred: () => preferred,
    onChange: () => undefined,
    onDeviceNotice: (notice) => void notices.push(notice),
  });
  const using = (kind: 'audio' | 'video') => (kind === 'audio' ? local.audio : local.video)?.getSettings().deviceId ?? null;
  return { devices, local, notices, using };
}

describe('a device in use goes away mid-call', () => {
  it('the chosen microphone is unplugged: the default takes over, the person is told, and it is used again when plugged back', async () => {
    const { devices, local, notices, using } = setup([BUILT_IN_MIC, HEADSET], { microphone: HEADSET.deviceId, camera: null });
    await local.start({ video: false });
    expect(using('audio')).toBe('mic-headset');

    devices.unplug(HEADSET.deviceId);
    await waitFor(() => using('audio') === 'mic-built-in', "using('audio') === 'mic-built-in'");
    expect(local.snapshot().error).toBeNull();
    expect(notices).toEqual([
      { level: 'warning', message: 'Microphone “USB headset” went away; Parley uses Built-in microphone now, and goes back when it returns.' },
    ]);

    devices.plug(HEADSET);
    await waitFor(() => using('audio') === 'mic-headset', "using('audio') === 'mic-headset'");
    expect(notices.at(-1)).toEqual({ level: 'info', message: 'Microphone “USB headset” is back; Parley uses it again.' });
    // Only the tracks in use are live: the fallback's was stopped when the headset came back.
    expect(devices.tracks.filter((t) => t.readyState === 'live').map((t) => t.device.deviceId)).toEqual(['mic-headset']);
  });

  it('the camera is unplugged: the built-in one takes over; with none left the person is told and it comes back later', async () => {
    const { devices, local, notices, using } = setup([BUILT_IN_MIC, WEBCAM, BUILT_IN_CAM], { microphone: null, camera: WEBCAM.deviceId });
    await local.start({ video: true });
    expect(using('video')).toBe('cam-usb');
    devices.unplug(WEBCAM.deviceId);
    await waitFor(() => using('video') === 'cam-built-in', "using('video') === 'cam-built-in'");
    expect(notices[0]?.message).toContain('Camera “USB webcam” went away; Parley uses Built-in camera now');

    devices.unplug(BUILT_IN_CAM.deviceId);
    await waitFor(() => notices.length === 2, 'notices.length === 2');
    expect(local.video).toBeNull();
    expect(notices[1]).toEqual({
      level: 'warning',
      message: 'Camera “Built-in camera” went away and there is no other camera; Parley switches back when it returns.',
    });
    devices.plug(WEBCAM);
    await waitFor(() => using('video') === 'cam-usb', "using('video') === 'cam-usb'");
    expect(notices.at(-1)?.message).toBe('Camera “USB webcam” is back; Parley uses it again.');
  });

  it('a track ended while its device stays (taken back by the system) is resumed on the same device', async () => {
    const { devices, local, notices, using } = setup([BUILT_IN_MIC, HEADSET], { microphone: HEADSET.deviceId, camera: null });
    await local.start({ video: false });
    const first = devices.tracks[0];
    // Ended from outside the engine, the device still plugged: the default request gets it again.
    devices.plugged.reverse();
    first?.endFromDevice();
    await waitFor(() => local.audio !== null && local.audio !== first, 'a new microphone track');
    expect(using('audio')).toBe('mic-headset');
    expect(notices).toEqual([{ level: 'info', message: 'Microphone “USB headset” is back; Parley uses it again.' }]);
  });

  it('after the call ends nothing switches back, and the device listener is gone', async () => {
    const { devices, local, notices, using } = setup([BUILT_IN_MIC, HEADSET], { microphone: HEADSET.deviceId, camera: null });
    await local.start({ video: false });
    devices.unplug(HEADSET.deviceId);
    await waitFor(() => using('audio') === 'mic-built-in', "using('audio') === 'mic-built-in'");
    local.release();
    devices.plug(HEADSET);
    await new Promise((done) => setTimeout(done, 50));
    expect(local.audio).toBeNull();
    expect(notices).toHaveLength(1);
  });

  it('without its own sink, LocalMedia tells the UI through deviceNotices', async () => {
    const devices = new PluggableDevices();
    devices.plugged.push(BUILT_IN_MIC, HEADSET);
    const local = new LocalMedia({ devices, createStream: createFakeStream, preferred: () => ({ microphone: HEADSET.deviceId, camera: null }), onChange: () => undefined });
    const heard: HostNotice[] = [];
    const stop = deviceNotices.subscribe((notice) => void heard.push(notice));
    try {
      await local.start({ video: false });
      devices.unplug(HEADSET.deviceId);
      await waitFor(() => heard.length === 1, 'heard.length === 1');
      expect(heard[0]?.message).toContain('USB headset');
    } finally {
      stop();
    }
  });
});
