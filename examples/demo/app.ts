/**
 * The demo app behind `npm start`: a JSON API for a list of items and the page that uses it,
 * written with the framework the way the README explains it. Every change is published on the
 * `items` topic, so every open page shows it at once.
 */
import { fileURLToPath } from 'node:url';
import { App, ConflictError, compress, NotFoundError, requestId, serveStatic, validate } from '../../src/index.js';
import { type ItemStore, type NewItem, newItemSchema } from './items.js';

/** The page and its assets live beside the sources (not in dist/), so one folder serves both builds. */
export const PUBLIC_DIR = fileURLToPath(new URL('../../../examples/demo/public/', import.meta.url));

export function createDemoApp(store: ItemStore, publicDir: string = PUBLIC_DIR): App {
  const app = new App();
  app.use(requestId());
  app.use(compress());

  const api = new App();
  api.get('/items', (c) => c.json(store.list()));
  api.get('/items/:id', (c) => {
    const item = store.get(c.req.param('id') ?? '');
    if (item === undefined) throw new NotFoundError('no such item');
    return c.json(item);
  });
  api.post('/items', validate({ body: newItemSchema }), (c) => {
    const item = store.add(c.req.valid<NewItem>('body'));
    if (item === undefined) throw new ConflictError('the list is full');
    app.publish('items', JSON.stringify({ type: 'added', item }));
    return c.json(item, 201, { Location: `/api/items/${item.id}` });
  });
  api.delete('/items/:id', (c) => {
    const id = c.req.param('id') ?? '';
    if (!store.delete(id)) throw new NotFoundError('no such item');
    app.publish('items', JSON.stringify({ type: 'deleted', id }));
    return c.body(null, 204);
  });
  app.route('/api', api);

  // Live updates: each page listens here, and hears every change made by any page.
  app.ws('/api/live', { open: (ws) => ws.subscribe('items') });

  app.use(serveStatic(publicDir, { listing: false }));
  return app;
}
