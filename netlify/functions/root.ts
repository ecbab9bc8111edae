// GET / — the classic welcome; no database.
import { root } from '../../src/endpoints/root.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/' };

export default route(config, root, { GET: () => json(200, { message: 'Bienvenue' }) });
