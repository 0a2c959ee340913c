/**
 * Which local addresses WebRTC may use and reveal, from settings.relayOnly.
 *
 * - relay-only: 'disable_non_proxied_udp'. The setting promises that peers never
 *   learn this device's address; this policy keeps that promise in the browser
 *   process even if the renderer forgot `iceTransportPolicy: 'relay'`. The cost:
 *   media goes to TURN over TCP/TLS, so the TURN server must offer TCP (coturn does
 *   by default).
 * - otherwise: 'default_public_and_private_interfaces'. Only the default-route
 *   interface is used (VPN, Docker and other interfaces stay hidden), but its
 *   private address is offered, which a call across one LAN needs when there is no
 *   STUN server — the embedded server's LAN mode. 'default_public_interface_only'
 *   would drop that address and such calls would find no candidates at all.
 */
export type WebRtcIpPolicy = 'default_public_and_private_interfaces' | 'disable_non_proxied_udp';

export function webRtcIpPolicyFor(settings: { relayOnly: boolean }): WebRtcIpPolicy {
  return settings.relayOnly ? 'disable_non_proxied_udp' : 'default_public_and_private_interfaces';
}
