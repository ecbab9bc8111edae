// Who is signed in, as GET /api/me answers: undefined while asking, null when
// nobody is (401). Pages read it; login and logout replace it.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { api, ApiError, type Me } from './api.ts';

export interface SessionState {
  me: Me | null | undefined;
  setMe: (me: Me | null) => void;
}

export const Session = createContext<SessionState>({ me: undefined, setMe: () => undefined });
export const useSession = () => useContext(Session);

export async function fetchMe(): Promise<Me | null> {
  try {
    return await api<Me>('GET', '/api/me');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}
