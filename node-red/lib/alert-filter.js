// @ts-check

/** Most to least urgent, as in the cloud's contract. */
const SEVERITIES = ['critical', 'high', 'medium', 'low'];

/**
 * @typedef {object} AlertFilterConfig
 * @property {string} [events] `raised`, `updated` or `all` (default).
 * @property {string} [minSeverity] The least severe alert that passes (default `low`: every alert).
 * @property {string} [types] Comma- or space-separated alert types; empty lets every type pass.
 */

/**
 * Which alerts an `eldercare alert` node passes on.
 * @param {AlertFilterConfig} config
 * @returns {(event: string, alert: {type?: unknown, severity?: unknown}) => boolean}
 */
function alertFilter(config) {
  const events =
    config.events === 'raised' || config.events === 'updated' ? [`alert:${config.events}`] : null;
  const floor = SEVERITIES.indexOf(config.minSeverity ?? 'low');
  const maxRank = floor < 0 ? SEVERITIES.length - 1 : floor;
  const types = String(config.types ?? '')
    .split(/[\s,]+/)
    .filter(Boolean);
  return (event, alert) => {
    if (events && !events.includes(event)) return false;
    const rank = SEVERITIES.indexOf(String(alert.severity));
    if (rank < 0 || rank > maxRank) return false;
    return types.length === 0 || types.includes(String(alert.type));
  };
}

module.exports = { alertFilter, SEVERITIES };
