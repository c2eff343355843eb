/**
 * The demo's data: an in-memory item store and the schema new items must match. The schema is a
 * plain Standard Schema v1 object, the interface zod, valibot and arktype implement, so the demo
 * needs no validator package; swap in `z.object(...)` and nothing else changes.
 */
export interface Item {
  id: string;
  name: string;
  quantity: number;
  createdAt: string;
}

export interface NewItem {
  name: string;
  quantity: number;
}

interface Issue {
  message: string;
  path: readonly PropertyKey[];
}

/** A Standard Schema v1 validator for {@link NewItem}. */
export const newItemSchema = {
  '~standard': {
    version: 1 as const,
    vendor: 'wirekit-demo',
    validate(value: unknown): { value: NewItem } | { issues: Issue[] } {
      const issues: Issue[] = [];
      const input = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
      const name = typeof input.name === 'string' ? input.name.trim() : '';
      if (name.length === 0) issues.push({ message: 'a name is required', path: ['name'] });
      else if (name.length > 60) issues.push({ message: 'at most 60 characters', path: ['name'] });
      const quantity = input.quantity === undefined || input.quantity === '' ? 1 : Number(input.quantity);
      if (!Number.isInteger(quantity) || quantity < 1 || quantity > 99) {
        issues.push({ message: 'a whole number from 1 to 99', path: ['quantity'] });
      }
      return issues.length > 0 ? { issues } : { value: { name, quantity } };
    },
  },
};

/** Items by id, in insertion order, with a cap so a demo left running cannot grow without bound. */
export class ItemStore {
  readonly #items = new Map<string, Item>();
  readonly #max: number;
  #next = 1;

  constructor(max = 1000) {
    this.#max = max;
  }

  list(): Item[] {
    return [...this.#items.values()];
  }

  get(id: string): Item | undefined {
    return this.#items.get(id);
  }

  add(input: NewItem): Item | undefined {
    if (this.#items.size >= this.#max) return undefined;
    const item: Item = { id: String(this.#next++), ...input, createdAt: new Date().toISOString() };
    this.#items.set(item.id, item);
    return item;
  }

  delete(id: string): boolean {
    return this.#items.delete(id);
  }
}
