// GET / — the classic welcome; 0 SQL statements.
import { route } from '../../src/http/route.ts';
import { json } from '../../src/http/respond.ts';

export const config = { path: '/' };

export default route(config.path, { GET: () => json(200, { message: 'Bienvenue' }) }, 'classic');
