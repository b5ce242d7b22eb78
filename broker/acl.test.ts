import { describe, expect, it } from 'vitest';
import { canPublish, canSubscribe, type Principal } from './acl.ts';

const gw1: Principal = { kind: 'gateway', gatewayId: 'gw-1' };
const cloud: Principal = { kind: 'service', name: 'cloud' };

describe('the broker ACL of CONTRACT §3, as a table', () => {
  const publishes: [Principal, string, boolean][] = [
    [gw1, 'eldercare/v1/gw-1/state', true],
    [gw1, 'eldercare/v1/gw-1/devices/d1/event', true],
    [gw1, 'eldercare/v1/gw-1/devices/d1/vitals', true],
    [gw1, 'eldercare/v1/gw-1/devices/d1/state', true],
    [gw1, 'eldercare/v1/gw-1/cmd/feedback', false],
    [gw1, 'eldercare/v1/gw-2/devices/d1/event', false],
    [gw1, 'eldercare/v1/gw-2/state', false],
    [gw1, 'eldercare/v1/gw-1/devices/d1/other', false],
    [gw1, 'eldercare/v1/gw-1/devices/d1/event/extra', false],
    [gw1, 'eldercare/v1/gw-1/devices/d$1/event', false],
    [gw1, 'eldercare/v2/gw-1/state', false],
    [gw1, '$SYS/broker/heartbeat', false],
    [gw1, 'anything/else', false],
    [cloud, 'eldercare/v1/gw-1/cmd/feedback', true],
    [cloud, 'eldercare/v1/gw-1/devices/d1/event', false],
    [cloud, 'eldercare/v1/gw-1/state', false],
    [cloud, '$eldercare/journal-ack', true],
    [gw1, '$eldercare/journal-ack', false],
  ];
  it.each(publishes)('publish by %o to %s is allowed: %s', (who, topic, allowed) => {
    expect(canPublish(who, topic)).toBe(allowed);
  });

  const subscriptions: [Principal, string, boolean][] = [
    [gw1, 'eldercare/v1/gw-1/cmd/#', true],
    [gw1, 'eldercare/v1/gw-1/cmd/feedback', true],
    [gw1, 'eldercare/v1/gw-1/cmd/+', true],
    [gw1, 'eldercare/v1/gw-1/cmd', true],
    [gw1, 'eldercare/v1/gw-2/cmd/#', false],
    [gw1, 'eldercare/v1/+/cmd/#', false],
    [gw1, 'eldercare/v1/#', false],
    [gw1, 'eldercare/v1/gw-1/#', false],
    [gw1, 'eldercare/v1/gw-1/state', false],
    [gw1, '#', false],
    [gw1, '$SYS/#', false],
    [cloud, 'eldercare/v1/#', true],
    [cloud, 'eldercare/v1/+/devices/+/event', true],
    [cloud, '#', false],
    [cloud, '$SYS/#', false],
  ];
  it.each(subscriptions)('subscription by %o to %s is allowed: %s', (who, filter, allowed) => {
    expect(canSubscribe(who, filter)).toBe(allowed);
  });
});
