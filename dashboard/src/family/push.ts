import { statusOf } from '../api.ts';
import { call } from './api.ts';
import type { FamilyKey } from './strings.ts';

/** The service worker lives at the page's own path, so its scope is the family page and nothing more. */
const SW_URL = '/family/sw.js';
const SCOPE = '/family/';

export function pushSupported(): boolean {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** Registers the service worker (it shows pushes and runs their "On my way" button); failures are not fatal. */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register(SW_URL, { scope: SCOPE }).catch((err: unknown) => {
    console.warn('service worker not registered', err);
  });
}

/** The VAPID key as `pushManager.subscribe` wants it (base64url → bytes). */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const raw = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/**
 * Asks for permission, subscribes this browser with the server's VAPID key and hands the subscription
 * to the server. Resolves to the message to show.
 */
export async function enablePush(): Promise<FamilyKey> {
  if (!pushSupported()) return 'push.unsupported';
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return 'push.denied';
  let publicKey: string;
  try {
    publicKey = (await call<{ publicKey: string }>('GET', '/api/push/vapid-public-key')).publicKey;
  } catch (err) {
    return statusOf(err) === 404 ? 'push.disabled' : 'push.failed';
  }
  try {
    const registration = await navigator.serviceWorker.ready;
    const subscription =
      (await registration.pushManager.getSubscription()) ??
      (await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(publicKey),
      }));
    const { endpoint, keys } = subscription.toJSON();
    await call('POST', '/api/me/push-subscriptions', { endpoint, keys });
    return 'push.enabled';
  } catch (err) {
    console.warn('push subscription failed', err);
    return 'push.failed';
  }
}
