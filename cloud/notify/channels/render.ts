import type { AlertType, Severity } from '../../../protocol/index.ts';
import type { NotificationMessage, NotifyReason } from '../types.ts';

/** Chinese first, English after: families read Chinese, helpers from elsewhere may not. */
export interface Bilingual {
  zh: string;
  en: string;
}

const TYPES: Partial<Record<AlertType, Bilingual>> = {
  sos: { zh: '紧急呼叫', en: 'SOS' },
  fall: { zh: '跌倒', en: 'Fall' },
  smoke: { zh: '烟雾报警', en: 'Smoke' },
  gas: { zh: '燃气泄漏', en: 'Gas leak' },
  water_leak: { zh: '漏水', en: 'Water leak' },
  service_request: { zh: '服务请求', en: 'Service request' },
  wearable_off: { zh: '手环摘下', en: 'Wearable removed' },
  low_battery: { zh: '电量低', en: 'Low battery' },
  tamper: { zh: '设备被拆', en: 'Tamper' },
  door_open: { zh: '门未关', en: 'Door open' },
  absence: { zh: '离家未归', en: 'Absence' },
  gateway_offline: { zh: '网关离线', en: 'Gateway offline' },
  device_offline: { zh: '设备离线', en: 'Device offline' },
  vitals: { zh: '生命体征异常', en: 'Abnormal vitals' },
  inactivity: { zh: '长时间无活动', en: 'Inactivity' },
  missed_checkin: { zh: '未按时报平安', en: 'Missed check-in' },
  night_door: { zh: '夜间开门', en: 'Night door opening' },
};

const SEVERITIES: Record<Severity, Bilingual> = {
  critical: { zh: '紧急', en: 'critical' },
  high: { zh: '高', en: 'high' },
  medium: { zh: '中', en: 'medium' },
  low: { zh: '低', en: 'low' },
};

const REASONS: Record<NotifyReason, Bilingual | null> = {
  alert: null,
  acknowledged: { zh: '服务中心已受理', en: 'Acknowledged by the centre' },
  resolved: { zh: '已处理完毕', en: 'Resolved' },
};

const OUTCOMES: Record<string, Bilingual> = {
  false_alarm: { zh: '误报', en: 'False alarm' },
  assisted: { zh: '已协助', en: 'Assisted' },
  family_assisted: { zh: '家属已协助', en: 'Assisted by family' },
  ems_dispatched: { zh: '已派急救', en: 'Ambulance dispatched' },
  hospitalised: { zh: '已送医', en: 'Taken to hospital' },
  no_answer_visited: { zh: '无应答，已上门', en: 'No answer, visited' },
  deceased: { zh: '已离世', en: 'Deceased' },
  other: { zh: '其他', en: 'Other' },
};

/** Unknown values (a type added later) still render, as themselves. */
export const typeLabel = (type: AlertType): Bilingual => TYPES[type] ?? { zh: type, en: type };
export const severityLabel = (severity: Severity): Bilingual => SEVERITIES[severity];
export const reasonLabel = (reason: NotifyReason): Bilingual | null => REASONS[reason];
export const outcomeLabel = (outcome: string): Bilingual => OUTCOMES[outcome] ?? { zh: outcome, en: outcome };

/** The homes are in China: times are shown at +08:00 whatever the server's zone. */
export function localTime(iso: string, offsetMinutes = 480): { date: string; time: string; zone: string } {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return { date: '', time: iso, zone: '' };
  const shifted = new Date(ms + offsetMinutes * 60_000).toISOString();
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return { date: shifted.slice(0, 10), time: shifted.slice(11, 16), zone };
}

/** `紧急呼叫 SOS · 黄德明`, prefixed with what happened when this is a follow-up. */
export function headline(m: NotificationMessage): string {
  const type = typeLabel(m.type);
  const reason = reasonLabel(m.reason);
  const head = `${type.zh} ${type.en} · ${m.elderName}`;
  return reason ? `${reason.zh} ${reason.en}: ${head}` : head;
}

/** `资阳市… · 10:15`, with the outcome once resolved. */
export function summary(m: NotificationMessage): string {
  const parts = [m.address, localTime(m.occurredAt).time].filter((p) => p !== '');
  if (m.outcome) {
    const outcome = outcomeLabel(m.outcome);
    parts.push(`${outcome.zh} ${outcome.en}`);
  }
  return parts.join(' · ');
}
