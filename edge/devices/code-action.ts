import type { EventType } from '../../protocol/index.ts';
import type { CodeAction } from '../config.ts';

/** What a press means, as the agent publishes it: an event type and, for a service request, its service. */
export interface PressEvent {
  type: EventType;
  data?: { service: string };
}

/** A configured key meaning (`"service_request:meal"` or `{"type":"service_request","service":"meal"}`). */
export function pressEvent(action: CodeAction): PressEvent {
  if (typeof action === 'string') {
    const [type, service] = action.split(':') as [EventType, string | undefined];
    return service ? { type, data: { service } } : { type };
  }
  return action.type === 'service_request'
    ? { type: 'service_request', data: { service: action.service } }
    : { type: action.type };
}
