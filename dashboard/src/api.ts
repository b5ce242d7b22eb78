/** REST calls with the session's bearer token; failures carry the HTTP status (0: no answer at all). */
const TOKEN_KEY = 'eldercare.dispatch.token';

export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export function statusOf(err: unknown): number {
  return err instanceof ApiError ? err.status : 0;
}

/** A REST client whose bearer token lives in `storage` under `key`. */
export function createClient(storage: () => Storage, key: string) {
  const token = {
    get: (): string | null => storage().getItem(key),
    set: (value: string): void => storage().setItem(key, value),
    clear: (): void => storage().removeItem(key),
  };
  /** Called on any 401 once logged in: the session ended elsewhere. */
  let onExpired: () => void = () => {};
  const whenExpired = (handler: () => void): void => {
    onExpired = handler;
  };
  /** `body` goes as JSON, or as it is (a string) under any other `contentType` (`text/csv`). */
  async function api<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const bearer = token.get();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['content-type'] = contentType;
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers,
        credentials: 'same-origin',
        // so logging out still reaches the server across the reload
        keepalive: method === 'DELETE',
        ...(body !== undefined
          ? { body: contentType === 'application/json' ? JSON.stringify(body) : String(body) }
          : {}),
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
  return { token, whenExpired, api };
}

const dispatch = createClient(() => sessionStorage, TOKEN_KEY);
export const token = dispatch.token;
export const whenExpired = dispatch.whenExpired;
export const api = dispatch.api;

export const get = <T>(path: string): Promise<T> => api<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}): Promise<T> => api<T>('POST', path, body);
export const patch = <T>(path: string, body: unknown): Promise<T> => api<T>('PATCH', path, body);

/**
 * A read whose route may not exist yet (or whose object is gone): null on 404/405/501 instead of an
 * error, so the view shows its empty state.
 */
export async function getOptional<T>(path: string): Promise<T | null> {
  try {
    return await get<T>(path);
  } catch (err) {
    if ([404, 405, 501].includes(statusOf(err))) return null;
    throw err;
  }
}

export const enc = encodeURIComponent;
