import { lang } from '../i18n/i18n.ts';

/**
 * The family page's own words, `[en, zh]`; labels of server enums (alert types, outcomes, severities)
 * come from the dashboard's table through `label()`, and the language choice is the dashboard's too.
 */
const STRINGS = {
  title: ['Eldercare family', '家人关怀'],
  'login.heading': ['Sign in', '登录'],
  'login.username': ['Username', '用户名'],
  'login.password': ['Password', '密码'],
  'login.submit': ['Sign in', '登录'],
  'login.bad': ['Wrong username or password', '用户名或密码错误'],
  'login.unreachable': ['Cannot reach the server', '无法连接服务器'],
  'login.notFamily': ['This page is for family members', '此页面仅供家属使用'],
  'login.expired': ['Please sign in again', '请重新登录'],
  logout: ['Log out', '退出'],
  settings: ['Notifications', '通知设置'],
  disconnected: ['Offline — reconnecting…', '网络已断开，正在重连…'],
  loading: ['Loading…', '加载中…'],
  noElders: ['No family member is linked to your account.', '您的账号尚未关联老人。'],
  age: ['{n} years', '{n} 岁'],
  'home.yes': ['At home', '在家'],
  'home.no': ['Out', '不在家'],
  'home.unknown': ['Whereabouts unknown', '在家情况未知'],
  devices: ['Devices', '设备'],
  'device.online': ['online', '在线'],
  'device.offline': ['offline', '离线'],
  'device.unknown': ['no report yet', '尚未上报'],
  'device.battery': ['battery {n} %', '电量 {n}%'],
  vitals: ['Latest vitals', '最新体征'],
  noVitals: ['No readings yet.', '暂无数据。'],
  'vital.hr': ['Heart rate', '心率'],
  'vital.spo2': ['SpO₂', '血氧'],
  'vital.rr': ['Breathing', '呼吸'],
  'vital.temp': ['Temperature', '体温'],
  'vital.bp': ['Blood pressure', '血压'],
  openAlerts: ['Needs attention', '正在处理的警报'],
  noOpenAlerts: ['All is well: no open alerts.', '一切正常，没有待处理的警报。'],
  'state.open': ['Waiting for the centre', '等待服务中心受理'],
  'state.acknowledged': ['The centre is on it', '服务中心正在处理'],
  centre: ['What the centre is doing', '服务中心处置进展'],
  centreNothing: ['The centre has been alerted.', '已通知服务中心。'],
  'centre.acknowledged': ['The centre took the call', '服务中心已受理'],
  'centre.responder_accepted': ['A helper is on the way', '服务人员已出发'],
  'centre.on_scene': ['Help has arrived', '服务人员已到达'],
  'centre.help_confirmed': ['Help confirmed', '已确认获得帮助'],
  'centre.family_accepted': ['{who} is on the way', '{who}正在赶去'],
  'centre.you_accepted': ['You are on the way', '您正在赶去'],
  'centre.resolved': ['Closed', '已办结'],
  eta: ['arrives in about {n} min', '约 {n} 分钟到达'],
  etaLabel: ['I can be there in', '预计到达'],
  etaMinutes: ['{n} min', '{n} 分钟'],
  etaUnknown: ['not sure', '不确定'],
  notePlaceholder: ['Message to the centre (optional)', '给服务中心留言（可选）'],
  accept: ['I’m on my way', '我这就去'],
  acceptAgain: ['Update my arrival time', '更新到达时间'],
  accepted: ['The centre knows you are coming.', '服务中心已知道您正在赶去。'],
  acceptFailed: ['Could not send — try again', '发送失败，请重试'],
  acceptResolved: ['This alert is already closed.', '该警报已办结。'],
  requests: ['Requests for help', '服务请求'],
  noRequests: ['No requests this week.', '本周暂无服务请求。'],
  'request.requested': ['Waiting for a helper', '等待社区服务人员接单'],
  'request.accepted': ['A helper is taking care of it', '社区服务人员已接单'],
  'request.done': ['Done', '已完成'],
  'request.cancelled': ['Cancelled', '已取消'],
  history: ['Recent alerts', '近期警报'],
  noHistory: ['No alerts so far.', '暂无记录。'],
  'prefs.push': ['Push notifications on this phone', '在手机上推送通知'],
  'prefs.email': ['E-mail', '电子邮件'],
  'prefs.webhook': ['SMS gateway / webhook URL', '短信网关 / Webhook 地址'],
  'prefs.severities': ['Tell me about', '通知级别'],
  'prefs.quiet': ['Quiet hours (only critical alerts)', '免打扰时段（仅紧急警报）'],
  'prefs.quietFrom': ['from', '从'],
  'prefs.quietTo': ['to', '至'],
  'prefs.save': ['Save', '保存'],
  'prefs.saved': ['Saved', '已保存'],
  'prefs.invalid': ['Please check the fields: {why}', '请检查填写内容：{why}'],
  'push.enable': ['Enable notifications', '开启通知'],
  'push.enabled': ['Notifications are on for this phone.', '本机通知已开启。'],
  'push.unsupported': ['This browser cannot receive notifications.', '此浏览器不支持通知。'],
  'push.denied': ['Notifications are blocked in the browser settings.', '浏览器已禁止通知。'],
  'push.disabled': ['The server does not send push notifications.', '服务器未开启推送通知。'],
  'push.failed': ['Could not turn notifications on.', '开启通知失败。'],
} as const satisfies Record<string, readonly [string, string]>;

export type FamilyKey = keyof typeof STRINGS;

/** The string for `key` in the current language, with `{name}` filled in (as text) from `vars`. */
export function ft(key: FamilyKey, vars: Record<string, string | number> = {}): string {
  const text: string = STRINGS[key][lang() === 'en' ? 0 : 1];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export function isKey(key: string): key is FamilyKey {
  return key in STRINGS;
}
