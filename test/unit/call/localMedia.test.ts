import { describe, expect, it } from 'vitest';
import { describeShareError } from '../../../renderer/call/screenShare';
import { i18n } from '../../../renderer/i18n';
import { LocalMedia, describeDeviceError, insecureContextDevices, mediaProblem } from '../../../renderer/media/localMedia';
import { FakeMediaDevices, createFakeStream, type DeviceFailure } from '../fakes/fakeMedia';

function setup() {
  const devices = new FakeMediaDevices();
  let changes = 0;
  const local = new LocalMedia({ devices, createStream: createFakeStream, onChange: () => (changes += 1) });
  return { devices, local, changes: () => changes };
}

describe('local media', () => {
  it.each<[DeviceFailure, string]>([
    ['NotFoundError', 'No camera was found'],
    ['NotReadableError', 'Camera is in use by another app'],
    ['NotAllowedError', 'Permission to use the camera was denied'],
    ['OverconstrainedError', 'The selected camera is not available'],
    ['AbortError', 'The camera could not be started'],
  ])('names a camera failure (%s) plainly', (name, words) => {
    expect(describeDeviceError('camera', new DOMException('x', name))).toContain(words);
  });

  it('explains that a page that is not secure gets no devices', async () => {
    const local = new LocalMedia({ devices: insecureContextDevices, createStream: createFakeStream, onChange: () => {} });
    await local.start({ video: false });
    expect(local.snapshot().error).toContain('only on secure pages');
  });

  it('names microphone failures and unknown errors with their name and message', () => {
    expect(describeDeviceError('microphone', new DOMException('x', 'NotFoundError'))).toContain('No microphone was found');
    expect(describeDeviceError('microphone', new TypeError('bad constraints'))).toContain('TypeError: bad constraints');
  });

  it('says what the call does without a device', () => {
    expect(mediaProblem({ microphone: null, camera: 'No camera was found' })).toContain('continues audio-only');
    expect(mediaProblem({ microphone: 'Permission to use the microphone was denied', camera: null })).toContain('they cannot hear you');
    expect(mediaProblem({ microphone: 'a', camera: 'b' })).toContain('cannot see or hear you');
    expect(mediaProblem({ microphone: null, camera: null })).toBeNull();
  });

  it('says device problems in Russian when the UI is Russian (issue 16.1)', async () => {
    await i18n.changeLanguage('ru');
    try {
      const camera = describeDeviceError('camera', new DOMException('x', 'NotFoundError'));
      expect(camera).toBe('Камера не найдена — подключите её и попробуйте снова');
      expect(mediaProblem({ microphone: null, camera })).toBe('Камера не найдена — подключите её и попробуйте снова. Звонок продолжается без видео.');
      expect(describeShareError(new DOMException('x', 'NotFoundError'))).toBe('Нет экрана или окна, которые можно показать.');
    } finally {
      await i18n.changeLanguage('en');
    }
  });

  it('gets microphone and camera in one request when both work', async () => {
    const { devices, local } = setup();
    await local.start({ video: true });
    expect(devices.requests).toHaveLength(1);
    expect(local.snapshot()).toMatchObject({ microphone: true, cameraOn: true, error: null, acquiring: false });
    expect(local.snapshot().stream?.getTracks()).toHaveLength(2);
  });

  it('a failing camera costs only the video: the microphone still works and the error says so', async () => {
    const { devices, local } = setup();
    devices.camera = 'NotReadableError';
    await local.start({ video: true });
    expect(local.snapshot()).toMatchObject({ microphone: true, cameraOn: false });
    expect(local.snapshot().error).toBe('Camera is in use by another app — close that app and try again. The call continues audio-only.');
  });

  it('a failing microphone leaves the call receive-only, said plainly', async () => {
    const { devices, local } = setup();
    devices.microphone = 'NotAllowedError';
    await local.start({ video: false });
    expect(local.snapshot()).toMatchObject({ microphone: false, cameraOn: false });
    expect(local.snapshot().error).toContain('Permission to use the microphone was denied');
  });

  it('mute disables the track without stopping it', async () => {
    const { devices, local } = setup();
    await local.start({ video: false });
    local.setMuted(true);
    const [mic] = devices.live('audio');
    expect(mic?.enabled).toBe(false);
    expect(local.snapshot().muted).toBe(true);
  });

  it('camera off stops the camera track; camera on gets a new one', async () => {
    const { devices, local } = setup();
    await local.start({ video: true });
    const [first] = devices.live('video');
    local.stopCamera();
    expect(first?.readyState).toBe('ended');
    expect(local.snapshot().cameraOn).toBe(false);
    expect(await local.startCamera()).toBe(true);
    expect(devices.live('video')).toHaveLength(1);
    expect(local.video).not.toBe(first);
  });

  it('camera on that fails reports why and stays off', async () => {
    const { devices, local } = setup();
    await local.start({ video: false });
    devices.camera = 'NotFoundError';
    expect(await local.startCamera()).toBe(false);
    expect(local.snapshot()).toMatchObject({ cameraOn: false, microphone: true });
    expect(local.snapshot().error).toContain('No camera was found');
  });

  it('a camera unplugged mid-call turns the camera off with a message', async () => {
    const { devices, local } = setup();
    await local.start({ video: true });
    devices.live('video')[0]?.endFromDevice();
    expect(local.snapshot().cameraOn).toBe(false);
    expect(local.snapshot().error).toContain('The camera stopped');
  });

  it('release stops every track, and media that arrives after it is stopped at once', async () => {
    const { devices, local } = setup();
    await local.start({ video: true });
    local.release();
    expect(devices.live()).toEqual([]);
    const late = local.start({ video: true });
    local.release();
    await late;
    expect(devices.live()).toEqual([]);
    expect(local.snapshot()).toMatchObject({ microphone: false, cameraOn: false, stream: null });
  });

  it('a camera turned off while the request is still running is stopped when it arrives', async () => {
    const { devices, local } = setup();
    const pending = local.start({ video: true });
    local.stopCamera();
    await pending;
    expect(devices.live('video')).toEqual([]);
    expect(local.snapshot()).toMatchObject({ microphone: true, cameraOn: false, error: null });
  });
});
