export * from './errors.js';
export * from './dtype.js';
export * from './shape.js';
export * from './random.js';
export * from './tensor.js';
export * from './create.js';
export * from './backend.js';
