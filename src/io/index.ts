export { save, load, loadBundle, serialize, deserialize, writeFileAtomic, type SaveExtras, type SavedModel } from './save.js';
export { ModelCheckpoint, type ModelCheckpointOptions } from './checkpoint.js';
