import { type Child, h, telLink } from '../dom.ts';
import { ageFrom, ago } from '../format.ts';
import { label, t } from '../i18n/i18n.ts';
import type { StringKey } from '../i18n/strings.ts';
import { defaultProcedure } from '../procedures.ts';
import type { AlertView, DeviceInfo, ElderDetail, GatewayInfo, HouseholdDetail } from '../types.ts';

export function section(testid: string, title: StringKey, ...body: Child[]): HTMLElement {
  return h('section', { class: 'card', testid }, h('h3', null, t(title)), ...body);
}

const empty = (key: StringKey): HTMLElement => h('p', { class: 'muted' }, t(key));

function fact(name: StringKey, value: Child, testid?: string): HTMLElement[] {
  return [h('dt', null, t(name)), h('dd', testid ? { testid } : null, value)];
}

const list = (items: string[] | undefined): Child =>
  items?.length ? items.join('、') : h('span', { class: 'muted' }, t('profile.none'));

/** Who the elder is and how to get in: the facts a responder needs on the way. */
export function elderSection(alert: AlertView, elder: ElderDetail | null): HTMLElement {
  const p = elder?.profile;
  const age = elder?.age ?? ageFrom(p?.birthYear);
  const name = elder?.name ?? alert.elderName ?? alert.elderId;
  return section(
    'elder-profile',
    'detail.elder',
    h('div', { class: 'elder-name', testid: 'elder-name' }, name),
    h(
      'dl',
      { class: 'facts' },
      age !== undefined && fact('profile.age', t('profile.ageValue', { n: age })),
      p?.sex && fact('profile.sex', label('sex', p.sex)),
      fact('profile.address', elder?.address ?? alert.address ?? alert.householdId, 'elder-address'),
      p?.phone && fact('profile.phone', telLink(p.phone, 'elder-phone')),
      p?.livesAlone !== undefined &&
        fact(
          'profile.livesAlone',
          h('span', { class: p.livesAlone ? 'flag' : '' }, p.livesAlone ? t('yes') : t('no')),
        ),
      p?.mobility && fact('profile.mobility', p.mobility),
      p && fact('profile.conditions', list(p.conditions)),
      p && fact('profile.medications', list(p.medications)),
    ),
    p?.accessNotes &&
      h(
        'div',
        { class: 'access', testid: 'access-notes' },
        h('strong', null, t('profile.access')),
        h('p', null, p.accessNotes),
      ),
    !p && empty('detail.noProfile'),
  );
}

export function contactsSection(elder: ElderDetail | null): HTMLElement {
  const contacts = elder?.profile?.contacts ?? [];
  return section(
    'contacts',
    'detail.contacts',
    contacts.length
      ? h(
          'ul',
          { class: 'contacts' },
          contacts.map((c) =>
            h(
              'li',
              null,
              h('span', { class: 'contact-name' }, c.name),
              c.relation && h('span', { class: 'muted' }, ` · ${c.relation}`),
              c.phone && telLink(c.phone),
            ),
          ),
        )
      : empty('detail.noContacts'),
  );
}

/** The elder's own procedure when the profile has one, else the standard one for this alert type. */
export function procedureSection(alert: AlertView, elder: ElderDetail | null): HTMLElement {
  const own = elder?.profile?.responseProcedure?.filter((s) => s.trim());
  const steps = own?.length ? own : defaultProcedure(alert.type).map((key) => t(key));
  return section(
    'procedure',
    'detail.procedure',
    h('p', { class: 'muted small' }, t(own?.length ? 'detail.procedureCustom' : 'detail.procedureDefault')),
    h(
      'ol',
      { class: 'procedure' },
      steps.map((step) => h('li', null, step)),
    ),
  );
}

function deviceRow(d: DeviceInfo, withSignal: boolean): HTMLElement {
  const lowBattery = d.battery !== undefined && d.battery < 20;
  return h(
    'tr',
    { testid: 'device-row', data: { online: String(d.online) }, title: d.id },
    h('td', null, label('kind', d.kind)),
    h('td', null, d.location ?? ''),
    h(
      'td',
      null,
      h('span', { class: `dot ${d.online ? 'ok' : 'bad'}` }),
      d.online ? t('device.online') : t('device.offline'),
    ),
    h(
      'td',
      { class: `num${lowBattery ? ' warn-text' : ''}` },
      d.battery === undefined ? '—' : `${d.battery} %`,
    ),
    withSignal && h('td', { class: 'num' }, d.rssi === undefined ? '—' : `${d.rssi} dBm`),
    h('td', null, ago(d.lastSeenAt)),
  );
}

function gatewayBlock(gw: GatewayInfo): HTMLElement {
  const online = gw.state === 'online';
  const withSignal = gw.devices.some((d) => d.rssi !== undefined);
  const headings = [
    'device.kind',
    'device.location',
    'queue.state',
    'device.battery',
    ...(withSignal ? (['device.signal'] as const) : []),
    'device.lastSeen',
  ] as const;
  return h(
    'div',
    { class: 'gateway', testid: 'gateway' },
    h(
      'div',
      { class: 'gateway-head' },
      h('span', { class: `dot ${online ? 'ok' : 'bad'}` }),
      h('strong', null, `${t('device.gateway')} ${gw.id}`),
      h(
        'span',
        { class: 'muted' },
        ` · ${online ? t('device.online') : t('device.offline')} · ${ago(gw.lastSeenAt)}`,
      ),
    ),
    h(
      'table',
      { class: 'mini' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          headings.map((k) => h('th', null, t(k))),
        ),
      ),
      h(
        'tbody',
        null,
        gw.devices.map((d) => deviceRow(d, withSignal)),
      ),
    ),
  );
}

export function devicesSection(household: HouseholdDetail | null): HTMLElement {
  const gateways = household?.gateways ?? [];
  return section(
    'devices',
    'detail.devices',
    gateways.length ? gateways.map(gatewayBlock) : empty('detail.noDevices'),
  );
}
