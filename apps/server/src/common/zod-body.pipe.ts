import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { formatPath, problemsFromZod } from '@pfnlab/contracts';

/** Validates a request body or query with a zod schema; a 400 lists every problem with its path. */
export class ZodPipe<T extends z.ZodType> implements PipeTransform<unknown, z.output<T>> {
  constructor(
    private readonly schema: T,
    private readonly what = 'request body',
  ) {}

  transform(value: unknown): z.output<T> {
    const r = this.schema.safeParse(value);
    if (r.success) return r.data;
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: `invalid ${this.what}`,
      problems: problemsFromZod(r.error).map((p) => ({ path: formatPath(p.path), message: p.message })),
    });
  }
}
