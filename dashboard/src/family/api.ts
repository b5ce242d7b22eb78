import { createClient } from '../api.ts';

/**
 * REST calls of the family page. The token lives in localStorage, not the dashboard's sessionStorage:
 * an installed app is closed and reopened all day, and a daughter must not sign in again each time.
 */
const TOKEN_KEY = 'eldercare.family.token';

const client = createClient(() => localStorage, TOKEN_KEY);
export const familyToken = client.token;
/** Called on any 401 once signed in: the session ended elsewhere. */
export const whenExpired = client.whenExpired;
export const call = client.api;
