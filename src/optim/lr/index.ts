export {
  LRScheduler, ClosedFormLR, TimeDecay, StepLR, ExponentialLR, CosineAnnealingLR,
  type LrTarget, type SchedulerStateDict, type JsonValue,
} from './scheduler.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './plateau.js';
export { LinearWarmup, type LinearWarmupOptions } from './warmup.js';
