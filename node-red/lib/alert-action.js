// @ts-check

/** The outcomes the cloud accepts when an alert is resolved (docs/contract.md). */
const OUTCOMES = [
  'false_alarm',
  'assisted',
  'family_assisted',
  'ems_dispatched',
  'hospitalised',
  'no_answer_visited',
  'deceased',
  'other',
];

/**
 * @typedef {object} ActionInput
 * @property {unknown} alertId
 * @property {unknown} [note]
 * @property {unknown} [outcome]
 */

/** @param {unknown} value */
const text = (value) => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/**
 * The REST call of an `eldercare ack` node: acknowledge (optionally with a note), add a note, or resolve
 * with an outcome. Throws when the message lacks what the action needs.
 * @param {string} action `acknowledge`, `note` or `resolve`
 * @param {ActionInput} input
 * @returns {{method: 'POST', path: string, body: Record<string, string>}}
 */
function alertAction(action, input) {
  const alertId = text(input.alertId);
  if (!alertId) throw new Error('no alert id: set msg.alertId or msg.payload.id');
  const base = `/api/alerts/${encodeURIComponent(alertId)}`;
  const note = text(input.note);
  switch (action) {
    case 'acknowledge':
      return { method: 'POST', path: `${base}/ack`, body: note ? { note } : {} };
    case 'note':
      if (!note) throw new Error('no note: set msg.note');
      return { method: 'POST', path: `${base}/notes`, body: { note } };
    case 'resolve': {
      const outcome = text(input.outcome);
      if (!outcome) throw new Error("no outcome: set msg.outcome or the node's outcome");
      return { method: 'POST', path: `${base}/resolve`, body: note ? { outcome, note } : { outcome } };
    }
    default:
      throw new Error(`unknown action "${action}"`);
  }
}

module.exports = { alertAction, OUTCOMES };
