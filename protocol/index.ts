export * from './alerts.ts';
export * from './devices.ts';
export * from './ids.ts';
export * from './payloads.ts';
export * from './services.ts';
export * from './topics.ts';
export * from './visits.ts';
