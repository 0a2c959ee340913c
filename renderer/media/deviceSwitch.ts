/**
 * Switching the microphone or the camera during a call: open the chosen device,
 * then let LocalMedia adopt the track. The senders get it by replaceTrack (the
 * engine's sync), so the switch needs no renegotiation. The device is asked for
 * with `exact`: a person who picked one must get that one or an error, not a
 * silent fallback to the default.
 */
import { describeDeviceError, type Device, type LocalMedia, type MediaDevicesLike } from './localMedia';

export async function openDevice(devices: MediaDevicesLike, device: Device, deviceId: string | null): Promise<MediaStreamTrack> {
  const wanted: MediaTrackConstraints | true = deviceId ? { deviceId: { exact: deviceId } } : true;
  let stream: MediaStream;
  try {
    stream = await devices.getUserMedia(device === 'camera' ? { audio: false, video: wanted } : { audio: wanted, video: false });
  } catch (error) {
    throw new Error(describeDeviceError(device, error), { cause: error });
  }
  const track = (device === 'camera' ? stream.getVideoTracks() : stream.getAudioTracks())[0];
  if (!track) throw new Error(describeDeviceError(device, new DOMException('no track in the stream', 'NotFoundError')));
  return track;
}

/**
 * Puts `deviceId` (null: the system default) in use for `device` now. Resolves
 * false when there is nothing to switch (the camera is off: the choice applies when
 * it is turned on); throws a person-readable Error when the device cannot be opened,
 * and the old device stays in use.
 */
export async function switchDevice(
  local: LocalMedia,
  devices: MediaDevicesLike,
  device: Device,
  deviceId: string | null,
): Promise<boolean> {
  if (device === 'camera' && !local.video) return false;
  const epoch = local.epoch;
  const track = await openDevice(devices, device, deviceId);
  return local.adopt(device, track, epoch);
}
