/** Schema migrations, applied in order; never edit one that has shipped, append a new one. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE regions (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('city', 'district', 'community')),
    parent TEXT REFERENCES regions (id)
  );
  CREATE TABLE households (
    id TEXT PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions (id),
    address TEXT NOT NULL,
    profile TEXT NOT NULL DEFAULT '{}'
  );
  CREATE TABLE elders (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households (id),
    name TEXT NOT NULL,
    profile TEXT NOT NULL DEFAULT '{}'
  );
  CREATE TABLE gateways (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households (id),
    secret_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  );
  CREATE TABLE devices (
    gateway_id TEXT NOT NULL REFERENCES gateways (id),
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    elder_id TEXT REFERENCES elders (id),
    config TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (gateway_id, id)
  );
  CREATE TABLE users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor', 'admin', 'family')),
    scope TEXT NOT NULL,
    elder_ids TEXT NOT NULL DEFAULT '[]'
  );
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users (username),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE TABLE events (
    gateway_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    type TEXT NOT NULL,
    ts TEXT NOT NULL,
    received_at TEXT NOT NULL,
    data TEXT,
    PRIMARY KEY (gateway_id, event_id)
  );
  CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    severity TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
    elder_id TEXT NOT NULL,
    household_id TEXT NOT NULL,
    region TEXT NOT NULL,
    gateway_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT,
    resolved_at TEXT,
    resolved_by TEXT,
    outcome TEXT,
    escalation_level INTEGER NOT NULL DEFAULT 0,
    dedupe_key TEXT NOT NULL,
    repeat_count INTEGER NOT NULL DEFAULT 0,
    last_seen_at TEXT NOT NULL,
    UNIQUE (gateway_id, event_id)
  );
  CREATE INDEX alerts_state ON alerts (state, region);
  CREATE UNIQUE INDEX alerts_one_active_per_key ON alerts (dedupe_key) WHERE state <> 'resolved';
  CREATE TABLE alert_timeline (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL REFERENCES alerts (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    note TEXT,
    data TEXT
  );
  CREATE INDEX alert_timeline_alert ON alert_timeline (alert_id, seq);
  CREATE TABLE gateway_status (
    gateway_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    ts TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE device_status (
    gateway_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    online INTEGER NOT NULL,
    battery REAL,
    rssi INTEGER,
    ts TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (gateway_id, device_id)
  );
  CREATE TABLE vitals (
    gateway_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    elder_id TEXT,
    id TEXT NOT NULL,
    ts TEXT NOT NULL,
    hr REAL, spo2 REAL, rr REAL, temp REAL, sys REAL, dia REAL,
    PRIMARY KEY (gateway_id, id)
  );
  CREATE INDEX vitals_elder_ts ON vitals (elder_id, ts);
  `,
  `
  ALTER TABLE alerts ADD COLUMN details TEXT;
  ALTER TABLE alerts ADD COLUMN first_pushed_at TEXT;
  ALTER TABLE alerts ADD COLUMN cleared_at TEXT;
  ALTER TABLE alerts ADD COLUMN escalation_due_at INTEGER;
  ALTER TABLE alerts ADD COLUMN clock_skew_ms INTEGER;
  CREATE INDEX alerts_escalation_due ON alerts (escalation_due_at) WHERE escalation_due_at IS NOT NULL;
  CREATE INDEX alerts_raised_at ON alerts (raised_at);
  CREATE TABLE rule_state (
    rule_id TEXT NOT NULL,
    key TEXT NOT NULL,
    elder_id TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    wake_at INTEGER,
    PRIMARY KEY (rule_id, key)
  );
  CREATE INDEX rule_state_wake ON rule_state (wake_at) WHERE wake_at IS NOT NULL;
  CREATE TABLE rule_config (
    rule_id TEXT NOT NULL,
    elder_id TEXT NOT NULL DEFAULT '',
    config TEXT NOT NULL,
    PRIMARY KEY (rule_id, elder_id)
  );
  CREATE TABLE visits (
    id TEXT PRIMARY KEY,
    elder_id TEXT NOT NULL REFERENCES elders (id),
    visited_at TEXT NOT NULL,
    visitor TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('home', 'phone', 'video')),
    outcome TEXT NOT NULL,
    notes TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
  );
  CREATE INDEX visits_elder ON visits (elder_id, visited_at);
  `,
  `
  CREATE TABLE notification_prefs (
    username TEXT PRIMARY KEY REFERENCES users (username),
    prefs TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE push_subscriptions (
    endpoint TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users (username),
    keys TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX push_subscriptions_user ON push_subscriptions (username);
  CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    alert_id TEXT NOT NULL REFERENCES alerts (id),
    recipient TEXT NOT NULL,
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    reason TEXT NOT NULL,
    message TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT
  );
  CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
  CREATE INDEX notifications_alert ON notifications (alert_id);
  `,
  `
  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    actor_scope TEXT NOT NULL,
    method TEXT NOT NULL,
    route TEXT NOT NULL,
    target TEXT,
    status INTEGER NOT NULL,
    address TEXT NOT NULL
  );
  CREATE INDEX audit_log_at ON audit_log (at);
  `,
  `
  CREATE INDEX vitals_ts ON vitals (ts);
  CREATE TABLE vitals_minute (
    elder_id TEXT NOT NULL,
    vital TEXT NOT NULL,
    minute TEXT NOT NULL,
    n INTEGER NOT NULL,
    total REAL NOT NULL,
    low REAL NOT NULL,
    high REAL NOT NULL,
    PRIMARY KEY (elder_id, vital, minute)
  );
  CREATE INDEX vitals_minute_minute ON vitals_minute (minute);
  INSERT INTO vitals_minute (elder_id, vital, minute, n, total, low, high)
    SELECT elder_id, vital, substr(ts, 1, 16) || ':00.000Z', count(*), sum(value), min(value), max(value)
    FROM (
      SELECT elder_id, ts, 'hr' AS vital, hr AS value FROM vitals WHERE hr IS NOT NULL
      UNION ALL SELECT elder_id, ts, 'spo2', spo2 FROM vitals WHERE spo2 IS NOT NULL
      UNION ALL SELECT elder_id, ts, 'rr', rr FROM vitals WHERE rr IS NOT NULL
      UNION ALL SELECT elder_id, ts, 'temp', temp FROM vitals WHERE temp IS NOT NULL
      UNION ALL SELECT elder_id, ts, 'sys', sys FROM vitals WHERE sys IS NOT NULL
      UNION ALL SELECT elder_id, ts, 'dia', dia FROM vitals WHERE dia IS NOT NULL
    ) AS readings
    WHERE elder_id IS NOT NULL
    GROUP BY elder_id, vital, substr(ts, 1, 16);
  `,
  `
  ALTER TABLE users ADD COLUMN disabled_at TEXT;
  `,
  `
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    epoch INTEGER NOT NULL
  );
  `,
  `
  CREATE TABLE service_tickets (
    id TEXT PRIMARY KEY,
    service TEXT NOT NULL CHECK (service IN ('meal', 'visit', 'chat', 'other')),
    state TEXT NOT NULL CHECK (state IN ('requested', 'accepted', 'done', 'cancelled')),
    elder_id TEXT NOT NULL,
    household_id TEXT NOT NULL,
    region TEXT NOT NULL,
    gateway_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    repeat_count INTEGER NOT NULL DEFAULT 0,
    last_requested_at TEXT NOT NULL,
    accepted_at TEXT,
    accepted_by TEXT,
    done_at TEXT,
    done_by TEXT,
    cancelled_at TEXT,
    cancelled_by TEXT,
    note TEXT,
    open_key TEXT,
    UNIQUE (gateway_id, event_id)
  );
  CREATE UNIQUE INDEX service_tickets_one_open_per_kind ON service_tickets (open_key);
  CREATE INDEX service_tickets_state ON service_tickets (state, region);
  CREATE INDEX service_tickets_requested_at ON service_tickets (requested_at);
  `,
  // The watch list's newest event of each type per device: one index seek each (cloud/domain/watchlist.ts).
  `
  CREATE INDEX events_device_type_ts ON events (gateway_id, device_id, type, ts);
  `,
  // Every ingested message looks up its household's first elder (Registry.deviceContext): without this
  // index that was a scan of all elders, 21 % of npm start's CPU with 19,400 homes (npm run bench).
  `
  CREATE INDEX elders_household ON elders (household_id, id);
  `,
];
