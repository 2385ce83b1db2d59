import { Module, type DynamicModule } from '@nestjs/common';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ServerConfig } from '../config/server-config';
import { BisectionSweeper } from './bisection-sweeper';
import { BisectionsController } from './bisections.controller';
import { BisectionsService, TREE_MIRRORS } from './bisections.service';
import { TreeMirrors } from './git-range';

/**
 * Where the server keeps its bare mirrors of the trees it bisects: a cache
 * (a lost one is cloned again), so the temporary directory is a fair
 * default; PFNLAB_SERVER_STATE_DIR puts it somewhere lasting.
 */
export function bisectMirrorRoot(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.PFNLAB_SERVER_STATE_DIR;
  return dir && path.isAbsolute(dir) ? path.join(dir, 'bisect') : path.join(os.tmpdir(), 'pfnlab-server-state', 'bisect');
}

/** Auto-bisection: API, service and (workers role) the sweep that advances steps. */
@Module({})
export class BisectionsModule {
  static forConfig(config: ServerConfig): DynamicModule {
    return {
      module: BisectionsModule,
      controllers: [BisectionsController],
      providers: [
        { provide: TREE_MIRRORS, useFactory: () => new TreeMirrors(bisectMirrorRoot()) },
        BisectionsService,
        ...(config.roles.workers ? [BisectionSweeper] : []),
      ],
    };
  }
}
