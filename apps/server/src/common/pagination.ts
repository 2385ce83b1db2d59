import { BadRequestException } from '@nestjs/common';
import type { SelectQueryBuilder } from 'typeorm';
import { z } from 'zod';

/** Keyset pagination: an opaque cursor of (createdAt, id), stable under inserts. */
export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

export interface Cursor {
  createdAt: string;
  id: string;
}

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify({ createdAt: row.createdAt.toISOString(), id: row.id })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Cursor | undefined {
  if (!cursor) return undefined;
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.createdAt === 'string' && !Number.isNaN(Date.parse(c.createdAt)) && /^[0-9a-f-]{36}$/.test(c.id)) return c;
  } catch {
    /* fall through */
  }
  return undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * One page of a query ordered newest first by (created_at, id): the caller
 * adds its filters to `qb` (whose alias is `alias`), this adds the cursor
 * and the limit. A cursor that is not one of ours is a 400 saying what to use.
 */
export async function keysetPage<E extends { createdAt: Date; id: string }, T = E>(
  qb: SelectQueryBuilder<E>,
  alias: string,
  page: { limit: number; cursor?: string },
  map: (row: E) => T = (row) => row as unknown as T,
): Promise<Page<T>> {
  qb.orderBy(`${alias}.created_at`, 'DESC').addOrderBy(`${alias}.id`, 'DESC').take(page.limit + 1);
  if (page.cursor) {
    const c = decodeCursor(page.cursor);
    if (!c) throw new BadRequestException('invalid cursor: use the nextCursor value of the previous page');
    qb.andWhere(`(${alias}.created_at, ${alias}.id) < (:cursorAt, :cursorId)`, { cursorAt: c.createdAt, cursorId: c.id });
  }
  const rows = await qb.getMany();
  const items = rows.slice(0, page.limit);
  return { items: items.map(map), nextCursor: rows.length > page.limit ? encodeCursor(items[items.length - 1]) : null };
}
