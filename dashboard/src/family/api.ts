import { ApiError } from '../api.ts';

/**
 * REST calls of the family page. The token lives in localStorage, not the dashboard's sessionStorage:
 * an installed app is closed and reopened all day, and a daughter must not sign in again each time.
 */
const TOKEN_KEY = 'eldercare.family.token';

export const familyToken = {
  get: (): string | null => localStorage.getItem(TOKEN_KEY),
  set: (value: string): void => localStorage.setItem(TOKEN_KEY, value),
  clear: (): void => localStorage.removeItem(TOKEN_KEY),
};

let onExpired: () => void = () => {};
/** Called on any 401 once signed in: the session ended elsewhere. */
export function whenExpired(handler: () => void): void {
  onExpired = handler;
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const bearer = familyToken.get();
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(0, null);
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!res.ok) {
    if (res.status === 401 && bearer && path !== '/api/session') onExpired();
    throw new ApiError(res.status, parsed);
  }
  return parsed as T;
}
