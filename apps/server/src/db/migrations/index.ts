import { InitialSchema1763800000000 } from './1763800000000-initial-schema';
import { BuildResults1763900000000 } from './1763900000000-build-results';
import { MeasurementDetails1763950000000 } from './1763950000000-measurement-details';
import { AbJobs1764000000000 } from './1764000000000-ab-jobs';
import { Retries1764050000000 } from './1764050000000-retries';
import { Bisections1764100000000 } from './1764100000000-bisections';

/** Every migration, in order. Add new ones at the end; never edit a released one. */
export const MIGRATIONS = [InitialSchema1763800000000, BuildResults1763900000000, MeasurementDetails1763950000000, AbJobs1764000000000, Retries1764050000000, Bisections1764100000000];
