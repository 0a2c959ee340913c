/**
 * A renderer DeviceIdentity (renderer/identity/deviceIdentity.ts) over a Node test
 * identity (testIdentity.ts): what the app's key store hands the signaling client
 * and the call engine, for tests that run the renderer's code against a server.
 */
import { deviceIdentity, type DeviceIdentity } from '../../renderer/identity/deviceIdentity';
import { makeIdentity, type TestIdentity } from './testIdentity';

export function deviceIdentityOf(identity: TestIdentity, options: { canLink?: boolean } = {}): DeviceIdentity {
  return deviceIdentity({
    userId: identity.userId,
    deviceId: identity.deviceId,
    credential: identity.credential,
    device: { privateKey: identity.device.pair.privateKey, alg: identity.device.alg },
    user: options.canLink === false ? null : { privateKey: identity.user.pair.privateKey, alg: identity.user.alg },
  });
}

/** A new user with one device, as a DeviceIdentity (and the test identity behind it). */
export async function newDeviceIdentity(): Promise<{ identity: DeviceIdentity; test: TestIdentity }> {
  const test = await makeIdentity();
  return { identity: deviceIdentityOf(test), test };
}
