// The family page's service worker (scope /family/): shows Web Push notifications and runs their
// "On my way" button. Plain JavaScript served as is: a service worker must be a stable URL, not a
// hashed bundle. It holds no session; the payload's acceptToken speaks for its recipient.

const PAGE = '/family/';
const ICON = '/family/icon.svg';
const DEFAULT_TITLE = '家人关怀 · Eldercare family';
const ACCEPT = { action: 'accept', title: '我这就去 / On my way' };

self.addEventListener('install', () => {
  void self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

function payloadOf(data) {
  if (!data) return {};
  try {
    const parsed = data.json();
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return { body: data.text() };
  }
}

const text = (value, fallback) => (typeof value === 'string' && value ? value : fallback);

/** Only our own page opens from a notification, whatever host the link was written for. */
function pageUrl(link) {
  try {
    const url = new URL(link, self.location.origin);
    if (url.pathname.startsWith(PAGE)) return new URL(url.pathname + url.hash, self.location.origin).href;
  } catch {
    // fall through to the page itself
  }
  return new URL(PAGE, self.location.origin).href;
}

function showPush(data) {
  const p = payloadOf(data);
  // The payload says which actions fit (none once the alert is resolved); an older sender sent none.
  const actions = Array.isArray(p.actions)
    ? p.actions
        .filter((a) => a && a.action === 'accept')
        .map((a) => ({ action: 'accept', title: text(a.title, ACCEPT.title) }))
    : p.reason === 'resolved'
      ? []
      : [ACCEPT];
  return self.registration.showNotification(text(p.title, DEFAULT_TITLE), {
    body: text(p.body, ''),
    tag: text(p.tag, text(p.alertId, 'eldercare')),
    renotify: true,
    requireInteraction: p.severity === 'critical' && p.reason !== 'resolved',
    icon: ICON,
    badge: ICON,
    actions,
    data: {
      alertId: text(p.alertId, ''),
      notificationId: text(p.notificationId, ''),
      acceptToken: text(p.acceptToken, ''),
      link: pageUrl(text(p.link, PAGE)),
    },
  });
}

self.addEventListener('push', (event) => {
  const shown = showPush(event.data);
  event.waitUntil(shown);
});

async function accept(data) {
  let ok = false;
  try {
    const res = await fetch(`/api/notifications/${encodeURIComponent(data.notificationId)}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: data.acceptToken }),
    });
    ok = res.ok;
  } catch {
    ok = false;
  }
  // Say whether it reached the centre; the follow-up opens the page, where one can try again.
  await self.registration.showNotification(
    ok ? '已告知服务中心 · The centre knows you are coming' : '未能发送 · Could not send',
    {
      body: ok ? '' : '点此打开页面重试 · Tap to open the page and retry',
      tag: data.alertId || 'eldercare',
      icon: ICON,
      data,
    },
  );
}

async function openPage(link) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((w) => new URL(w.url).pathname.startsWith(PAGE));
  if (open) {
    await open.navigate(link).catch(() => undefined);
    return open.focus();
  }
  return self.clients.openWindow(link);
}

self.addEventListener('notificationclick', (event) => {
  const data = event.notification.data || {};
  event.notification.close();
  const work = event.action === 'accept' ? accept(data) : openPage(pageUrl(data.link || PAGE));
  event.waitUntil(work);
});
